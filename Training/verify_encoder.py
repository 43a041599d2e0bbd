"""Check the PyTorch replica of the frozen encoder against onnxruntime.

Cuts arbitrary_predict.onnx (as shipped, and a float copy with the activation
quantize/dequantize pairs removed) at intermediate float tensors (onnx.utils.extract_model)
and compares them with MobileNetEncoder taps on seeded random and smooth inputs
at 256x256 (the ONNX file's fixed size). onnxruntime runs the graph's QDQ nodes,
so activations are fake-quantized to int8 there; differences of the order of the
activation quantization step (6/255 = 0.0235 for ReLU6 outputs) are expected.
Usage: python verify_encoder.py
"""
import sys
from pathlib import Path

import numpy as np
import onnx
import onnx.utils
import onnxruntime as ort
import torch

sys.path.insert(0, str(Path(__file__).parent))
import teacher_files
from mobilenet_encoder import MobileNetEncoder

# float (post-Clip, pre-QuantizeLinear) tensors of the graph for our taps
ONNX_TAPS = {"conv0": "Relu6__5:0", "ec1_expand": "Relu6__10:0",
             "ec3_expand": "Relu6__20:0", "ec6_expand": "Relu6__35:0"}


def strip_activation_qdq(src, dst, outputs=tuple(ONNX_TAPS.values())):
    """Write a copy of the graph with every activation QuantizeLinear -> DequantizeLinear
    pair bypassed (weights stay dequantized from int8), i.e. the graph run in float."""
    m = onnx.load(str(src))
    g = m.graph
    inits = {i.name for i in g.initializer}
    q_in = {n.output[0]: n.input[0] for n in g.node if n.op_type == "QuantizeLinear"}
    alias = {}
    floated = set()  # outputs of non-DQ nodes (Transpose, Reshape) that consumed a quantized tensor
    for n in g.node:
        if n.op_type == "DequantizeLinear" and (n.input[0] in q_in or n.input[0] in floated):
            alias[n.output[0]] = q_in.get(n.input[0], n.input[0])
        elif n.op_type not in ("QuantizeLinear", "DequantizeLinear") and any(i in q_in for i in n.input):
            for i, name in enumerate(n.input):
                n.input[i] = q_in.get(name, name)
            floated.update(n.output)
    for n in g.node:
        for i, name in enumerate(n.input):
            while name in alias:
                name = alias[name]
            n.input[i] = name
    # drop now-unused Q/DQ nodes
    keep = [n for n in g.node if not (n.op_type in ("QuantizeLinear",) or
            (n.op_type == "DequantizeLinear" and n.input[0] not in inits))]
    # keep only what the taps need, and make the taps the graph's outputs
    producer = {o: n for n in keep for o in n.output}
    need, stack = set(), list(outputs)
    while stack:
        t = stack.pop()
        if t in producer and id(producer[t]) not in need:
            need.add(id(producer[t]))
            stack.extend(producer[t].input)
    keep = [n for n in keep if id(n) in need]
    del g.node[:]
    g.node.extend(keep)
    del g.output[:]
    g.output.extend([onnx.helper.make_tensor_value_info(t, onnx.TensorProto.FLOAT, None)
                     for t in outputs])
    onnx.save(m, str(dst))


def main():
    path = teacher_files.predict_onnx()
    float_graph = teacher_files.RUNS_DIR / "predict_float.onnx"
    strip_activation_qdq(path, float_graph)
    cut = teacher_files.RUNS_DIR / "predict_cut_taps_qdq.onnx"
    onnx.utils.extract_model(str(path), str(cut), ["style_image"], list(ONNX_TAPS.values()))
    compare("qdq", cut)
    compare("float", float_graph)


def compare(label, cut):
    enc = MobileNetEncoder(teacher_files.predict_onnx()).eval()
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:256, 0:256] / 255.0
    smooth = np.stack([np.sin(6 * xx + 2 * yy), np.cos(5 * yy), xx * yy], -1) * 0.5 + 0.5
    inputs = {"random": rng.random((256, 256, 3)), "smooth": smooth}
    ort.set_default_logger_severity(3)
    for optim in ["disabled", "default"]:
        so = ort.SessionOptions()
        if optim == "disabled":
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        sess = ort.InferenceSession(str(cut), so, providers=["CPUExecutionProvider"])
        for iname, img in inputs.items():
            img = (np.round(img * 255) / 255).astype(np.float32)  # 8-bit exact input
            ref = sess.run(list(ONNX_TAPS.values()), {"style_image": img[None]})
            with torch.no_grad():
                ours = enc(torch.from_numpy(img).permute(2, 0, 1)[None], taps=True)
            for (tap, _), r in zip(ONNX_TAPS.items(), ref):
                o = ours[tap].numpy()
                d = np.abs(o - r)
                print(f"{label:5s} graph, ort optim={optim:8s} input={iname:6s} {tap:11s} shape={o.shape} "
                      f"max|diff|={d.max():.4f} mean|diff|={d.mean():.5f} mean|ref|={np.abs(r).mean():.4f}")


if __name__ == "__main__":
    main()
