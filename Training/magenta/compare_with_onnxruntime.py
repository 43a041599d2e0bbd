#!/usr/bin/env python3
"""Per-pixel fidelity of `stylize --model magenta` / `--preset` against onnxruntime on the
original ONNX files, on real images at 384 x 384 (style 256 x 256).

  compare_with_onnxruntime.py --stylize .build/release/stylize --onnx-dir .../models \
      --content photo.jpg --style painting.jpg

Inputs are resized to 384 x 384 / 256 x 256 PNGs first, so both engines see the same
pixels. Both outputs are 8-bit (stylize writes PNG; the onnxruntime output is quantized the
same way, round(clip(x, 0, 1) * 255)). Differences are in [0, 1] units per channel value.
"int8 graph" = the ONNX file as shipped; "float graph" = the same graph with its activation
fake-quantization removed (onnx_float_graph.py), i.e. the float network stylize runs.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime as ort
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_float_graph import floatify  # noqa: E402


def to8(x):
    return np.round(np.clip(x, 0, 1) * 255) / 255


def report(name, ours, ref):
    d = np.abs(ours - to8(ref))
    print(f"{name:38s} max {d.max():.4f}  mean {d.mean():.6f}  (>{4}/255: {np.mean(d > 4 / 255) * 100:.2f}% of values)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stylize", required=True)
    ap.add_argument("--onnx-dir", required=True)
    ap.add_argument("--content", required=True)
    ap.add_argument("--style", required=True)
    ap.add_argument("--preset", default="19")
    a = ap.parse_args()
    so = ort.SessionOptions()
    so.log_severity_level = 3
    with tempfile.TemporaryDirectory() as tmp:
        c_path, s_path = os.path.join(tmp, "c.png"), os.path.join(tmp, "s.png")
        Image.open(a.content).convert("RGB").resize((384, 384), Image.LANCZOS).save(c_path)
        Image.open(a.style).convert("RGB").resize((256, 256), Image.LANCZOS).save(s_path)
        c = (np.asarray(Image.open(c_path), np.float32) / 255)[None]
        s = (np.asarray(Image.open(s_path), np.float32) / 255)[None]
        out_a, out_p = os.path.join(tmp, "a.png"), os.path.join(tmp, "p.png")
        subprocess.run([a.stylize, c_path, s_path, "--model", "magenta", "--content-size", "0", "-q", "-o", out_a], check=True)
        subprocess.run([a.stylize, c_path, "--preset", a.preset, "--content-size", "0", "-q", "-o", out_p], check=True)
        ours_a = np.asarray(Image.open(out_a), np.float64)[None] / 255
        ours_p = np.asarray(Image.open(out_p), np.float64)[None] / 255
        key = "mobilenet_conv/Conv/BiasAdd"
        for label, graph in (("int8 graph", None), ("float graph", floatify)):
            pred = os.path.join(a.onnx_dir, "arbitrary_predict.onnx")
            trans = os.path.join(a.onnx_dir, "arbitrary_transform.onnx")
            p = ort.InferenceSession(graph(pred).SerializeToString() if graph else pred, so)
            t = ort.InferenceSession(graph(trans).SerializeToString() if graph else trans, so)
            v = p.run(None, {"style_image": s})[0]
            report(f"arbitrary vs onnxruntime {label}", ours_a, t.run(None, {"content_image": c, key: v})[0])
        w = np.zeros(26, np.float32)
        for part in a.preset.split(","):
            i, _, wt = part.partition(":")
            w[int(i)] += float(wt) if wt else 1
        w /= w.sum()
        m = ort.InferenceSession(os.path.join(a.onnx_dir, "multistyle26.onnx"), so)
        ref = m.run(None, {"image": c.transpose(0, 3, 1, 2).copy(), "style_weights": w})[0].transpose(0, 2, 3, 1)
        report(f"preset {a.preset} vs onnxruntime (float)", ours_p, ref)


if __name__ == "__main__":
    main()
