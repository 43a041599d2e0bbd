"""Frozen encoder: the first layers of the Magenta style predictor
(arbitrary_predict.onnx, a MobileNetV2), dequantized from int8 and run in float.

Formula: input x in [0,1] RGB (no other preprocessing; the graph quantizes the
input with scale 1/255, zero point -128, i.e. it takes [0,1] directly), then
  Conv 3x3 s2 (3->32) ReLU6                                  tap "conv0"  (32, /2)
  expanded_conv:   dw3x3 s1 ReLU6, project 1x1 (32->16)
  expanded_conv_1: expand 1x1 (16->96) ReLU6                 tap "ec1_expand" (96, /2)
                   dw3x3 s2 ReLU6, project 1x1 (96->24)
  expanded_conv_2: expand (24->144) ReLU6, dw s1 ReLU6, project (144->24), + input
  expanded_conv_3: expand (24->144) ReLU6                    tap "ec3_expand" (144, /4)
                   dw s2 ReLU6, project (144->32)
  expanded_conv_4: expand (32->192) ReLU6, dw s1 ReLU6, project (192->32), + input
  expanded_conv_5: same as 4, + input
  expanded_conv_6: expand 1x1 (32->192) ReLU6                output "ec6_expand" (192, /8)
All 3x3 convolutions use TensorFlow "SAME" zero padding:
  out = ceil(in / s), pad_total = max((out-1)*s + k - in, 0),
  pad_before = pad_total // 2, pad_after = pad_total - pad_before.
"""
import math

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

# (block name, expand channels or None, out channels, depthwise stride, residual)
BLOCKS = [
    ("expanded_conv", None, 16, 1, False),
    ("expanded_conv_1", 96, 24, 2, False),
    ("expanded_conv_2", 144, 24, 1, True),
    ("expanded_conv_3", 144, 32, 2, False),
    ("expanded_conv_4", 192, 32, 1, True),
    ("expanded_conv_5", 192, 32, 1, True),
]
OUTPUT_EXPAND = ("expanded_conv_6", 192)
TAPS = ["conv0", "ec1_expand", "ec3_expand", "ec6_expand"]
TAP_CHANNELS = {"conv0": 32, "ec1_expand": 96, "ec3_expand": 144, "ec6_expand": 192}


def dequantized_weights(onnx_path):
    """All int8/int32 initializers that feed a DequantizeLinear, dequantized:
    w = (q - zero_point) * scale, per output channel along `axis` when scale is a vector.
    Returns {layer prefix: {"weight": array, "bias": array}} keyed like
    'MobilenetV2/expanded_conv_1/expand'."""
    m = onnx.load(str(onnx_path))
    inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    deq = {}
    for n in m.graph.node:
        if n.op_type != "DequantizeLinear" or n.input[0] not in inits:
            continue
        q = inits[n.input[0]].astype(np.float64)
        scale = inits[n.input[1]].astype(np.float64)
        zp = inits[n.input[2]].astype(np.float64) if len(n.input) > 2 else np.zeros_like(scale)
        axis = 1
        for a in n.attribute:
            if a.name == "axis":
                axis = a.i
        if scale.ndim == 1 and scale.size > 1:
            shape = [1] * q.ndim
            shape[axis] = -1
            scale = scale.reshape(shape)
            zp = zp.reshape(shape)
        deq[n.output[0]] = ((q - zp) * scale).astype(np.float32)
    layers = {}
    for n in m.graph.node:
        if n.op_type != "Conv":
            continue
        wname = n.input[1]
        prefix = wname.rsplit("/", 1)[0]
        w = deq[wname]
        b = deq[n.input[2]] if len(n.input) > 2 else np.zeros(w.shape[0], np.float32)
        layers[prefix] = {"weight": w, "bias": b}
    return layers


def onnx_prefix(attr):
    """Module attribute -> ONNX layer prefix: 'conv0' -> 'MobilenetV2/Conv',
    'ec0_depthwise' -> 'MobilenetV2/expanded_conv/depthwise', 'ec3_expand' -> '.../expanded_conv_3/expand'."""
    if attr == "conv0":
        return "MobilenetV2/Conv"
    block, part = attr.split("_", 1)
    k = int(block[2:])
    return "MobilenetV2/" + ("expanded_conv" if k == 0 else f"expanded_conv_{k}") + "/" + part


def layers_from_tensors(tensors, prefix="encoder."):
    """{'encoder.ec3_expand.weight': tensor, ...} -> {ONNX prefix: {"weight", "bias"}} (numpy)."""
    out = {}
    for name, t in tensors.items():
        if not name.startswith(prefix):
            continue
        attr, kind = name[len(prefix):].rsplit(".", 1)
        out.setdefault(onnx_prefix(attr), {})[kind] = t.float().numpy()
    return out


def block_key(name):
    """'expanded_conv' -> 'ec0', 'expanded_conv_3' -> 'ec3'."""
    return "ec0" if name == "expanded_conv" else name.replace("expanded_conv_", "ec")


def tf_same_pad(x, k, s):
    """Zero-pad NCHW x like TensorFlow 'SAME' for kernel k, stride s."""
    h, w = x.shape[-2:]
    def amounts(n):
        out = math.ceil(n / s)
        total = max((out - 1) * s + k - n, 0)
        return total // 2, total - total // 2
    t, b = amounts(h)
    l, r = amounts(w)
    return F.pad(x, (l, r, t, b))


class SameConv(nn.Module):
    def __init__(self, w, b, stride, groups=1):
        super().__init__()
        self.weight = nn.Parameter(torch.from_numpy(w).clone(), requires_grad=False)
        self.bias = nn.Parameter(torch.from_numpy(b).clone().reshape(-1), requires_grad=False)
        self.stride = stride
        self.groups = groups
        self.k = w.shape[-1]

    def forward(self, x):
        if self.k > 1:
            x = tf_same_pad(x, self.k, self.stride)
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, 1, self.groups)


def relu6(x):
    return torch.clamp(x, 0.0, 6.0)


class MobileNetEncoder(nn.Module):
    """Frozen MobileNetV2 prefix up to expanded_conv_6/expand (192 ch, stride 8)."""

    def __init__(self, onnx_path=None, layers=None):
        """Weights from the ONNX file, or from `layers` ({ONNX layer prefix: {"weight", "bias"}},
        as returned by dequantized_weights or layers_from_tensors)."""
        super().__init__()
        L = layers if layers is not None else dequantized_weights(onnx_path)
        P = "MobilenetV2/"
        self.layer_names = []  # ordered (module attr, onnx prefix)
        def add(attr, prefix, stride=1, depthwise=False):
            w, b = L[P + prefix]["weight"], L[P + prefix]["bias"]
            groups = w.shape[0] if depthwise else 1
            setattr(self, attr, SameConv(w, b, stride, groups))
            self.layer_names.append((attr, prefix))
        add("conv0", "Conv", stride=2)
        for name, exp, out, s, res in BLOCKS:
            key = block_key(name)
            if exp is not None:
                add(f"{key}_expand", f"{name}/expand")
            add(f"{key}_depthwise", f"{name}/depthwise", stride=s, depthwise=True)
            add(f"{key}_project", f"{name}/project")
        add("ec6_expand", f"{OUTPUT_EXPAND[0]}/expand")
        for p in self.parameters():
            p.requires_grad_(False)

    def forward(self, x, taps=False):
        """x: N x 3 x H x W in [0,1]. Returns the 192-channel stride-8 features,
        or a dict of all TAPS when taps=True."""
        out = {}
        x = relu6(self.conv0(x)); out["conv0"] = x
        for name, exp, _, _, res in BLOCKS:
            key = block_key(name)
            inp = x
            if exp is not None:
                x = relu6(getattr(self, f"{key}_expand")(x))
                out[f"{key}_expand"] = x
            x = relu6(getattr(self, f"{key}_depthwise")(x))
            x = getattr(self, f"{key}_project")(x)
            if res:
                x = x + inp
        x = relu6(self.ec6_expand(x)); out["ec6_expand"] = x
        return {k: out[k] for k in TAPS} if taps else x
