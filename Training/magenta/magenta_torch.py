"""Float PyTorch forward passes of the converted Magenta networks, read from the
project's safetensors (the names written by convert_magenta.py). They are the oracle
for the Swift engine's tiny-network tests and are checked against onnxruntime on the
original ONNX files by make_magenta_reference.py.

Transformer (both families), per layer: [nearest x2 upsample] -> reflection pad k//2 ->
conv (stride s, bias) -> [conditional instance norm] -> ReLU / sigmoid / none, with
residual blocks  x + L2(L1(x)).  Conditional instance norm, for style vector v:
  gamma = Wg v + bg,  beta = Wb v + bb,
  y = gamma * (x - mean_hw(x)) / sqrt(var_hw(x) + eps) + beta   (biased variance).
Predictor: MobileNetV2 with TF SAME zero padding, ReLU6, global average pool, 1x1 conv to D.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.numpy import load_file

ARBITRARY_PLAN = (
    [("contract.conv1", 1, False, False, "relu"), ("contract.conv2", 2, False, False, "relu"),
     ("contract.conv3", 2, False, False, "relu")]
    + [x for i in range(1, 6) for x in (("save",), (f"residual.residual{i}.conv1", 1, False, True, "relu"),
                                         (f"residual.residual{i}.conv2", 1, False, True, "none"), ("add",))]
    + [("expand.conv1", 1, True, True, "relu"), ("expand.conv2", 1, True, True, "relu"),
       ("expand.conv3", 1, False, True, "sigmoid")])

MULTI_PLAN = (
    [("contract.0", 1, False, True, "relu"), ("contract.1", 2, False, True, "relu"),
     ("contract.2", 2, False, True, "relu")]
    + [x for i in range(6) for x in (("save",), (f"res.{i}.0", 1, False, True, "relu"),
                                     (f"res.{i}.1", 1, False, True, "none"), ("add",))]
    + [("expand.0", 1, True, True, "relu"), ("expand.1", 1, True, True, "relu"),
       ("expand.2", 1, False, True, "sigmoid")])

MOBILENET_BLOCKS = [("expanded_conv", 1, 16, 1)] + [
    (f"expanded_conv_{i}", 6, c, s) for i, (c, s) in enumerate(
        [(24, 2), (24, 1), (32, 2), (32, 1), (32, 1), (64, 2), (64, 1), (64, 1), (64, 1),
         (96, 1), (96, 1), (96, 1), (160, 2), (160, 1), (160, 1), (320, 1)], start=1)]


def dequantized(arrays):
    """The weights of a loaded file as float32 arrays: `<name>.q` codes with `<name>.scale` (and
    `<name>.zero_point`) become `<name>` = float32(q - zero_point) * scale (ONNX DequantizeLinear,
    as convert_magenta.py stores the int8 network); other tensors are widened to float32."""
    out = {}
    for k, v in arrays.items():
        if k.endswith(".q"):
            name = k[:-2]
            zp = arrays.get(name + ".zero_point", np.zeros(1, np.int64)).astype(np.int64)
            out[name] = (v.astype(np.int64) - zp).astype(np.float32) * arrays[name + ".scale"]
        elif not (k.endswith(".scale") and k[:-6] + ".q" in arrays) and not k.endswith(".zero_point"):
            out[k] = v.astype(np.float32)
    return out


def load(path):
    return {k: torch.from_numpy(v.astype(np.float64)) for k, v in dequantized(load_file(path)).items()}


def transform(t, content_nhwc, style_vec, plan):
    """content: (1,H,W,3) float; style_vec: (D,). H and W multiples of 4. Returns (1,H,W,3)."""
    x = torch.as_tensor(content_nhwc, dtype=torch.float64).permute(0, 3, 1, 2)
    v = torch.as_tensor(style_vec, dtype=torch.float64).reshape(-1)
    saved = None
    for step in plan:
        if step[0] == "save":
            saved = x
            continue
        if step[0] == "add":
            x = x + saved
            continue
        name, stride, up, normed, act = step
        if up:
            x = F.interpolate(x, scale_factor=2, mode="nearest")
        w = t[f"transformer.{name}.weight"]
        p = w.shape[2] // 2
        x = F.conv2d(F.pad(x, (p, p, p, p), mode="reflect"), w, t[f"transformer.{name}.bias"], stride=stride)
        if normed:
            pre = f"transformer.{name}.norm"
            gamma = t[f"{pre}.gamma.weight"] @ v + t[f"{pre}.gamma.bias"]
            beta = t[f"{pre}.beta.weight"] @ v + t[f"{pre}.beta.bias"]
            mean = x.mean(dim=(2, 3), keepdim=True)
            var = ((x - mean) ** 2).mean(dim=(2, 3), keepdim=True)
            x = (x - mean) / torch.sqrt(var + t[f"{pre}.eps"][0]) * gamma.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1)
        if act == "relu":
            x = F.relu(x)
        elif act == "sigmoid":
            x = torch.sigmoid(x)
    return x.permute(0, 2, 3, 1).numpy()


def same_pad(x, k, s):
    h, w = x.shape[2], x.shape[3]

    def total(n):
        return max((math.ceil(n / s) - 1) * s + k - n, 0)
    th, tw = total(h), total(w)
    return F.pad(x, (tw // 2, tw - tw // 2, th // 2, th - th // 2))


def predict(t, style_nhwc, blocks=MOBILENET_BLOCKS):
    """style: (1,H,W,3) in [0,1] -> style vector (D,)."""
    x = torch.as_tensor(style_nhwc, dtype=torch.float64).permute(0, 3, 1, 2)

    def conv(name, x, stride=1, groups=1, relu6=True):
        w = t[f"predictor.{name}.weight"]
        x = F.conv2d(same_pad(x, w.shape[2], stride), w, t[f"predictor.{name}.bias"], stride=stride, groups=groups)
        return x.clamp(0, 6) if relu6 else x

    x = conv("Conv", x, 2)
    for name, expansion, out, stride in blocks:
        inp = x
        if expansion != 1:
            x = conv(f"{name}.expand", x)
        x = conv(f"{name}.depthwise", x, stride, groups=x.shape[1])
        x = conv(f"{name}.project", x, relu6=False)
        if stride == 1 and x.shape[1] == inp.shape[1]:
            x = x + inp
    x = conv("Conv_1", x)
    x = x.mean(dim=(2, 3), keepdim=True)
    x = conv("bottleneck", x, relu6=False)
    return x.reshape(-1).numpy()


def transform_any_size(t, content_nhwc, style_vec, plan):
    """Reflection-pads the bottom and right to a multiple of 4, runs, crops (what the
    Swift engine does for any content size)."""
    c = np.asarray(content_nhwc, np.float64)
    h, w = c.shape[1], c.shape[2]
    ph, pw = (-h) % 4, (-w) % 4
    if ph or pw:
        c = np.pad(c, ((0, 0), (0, ph), (0, pw), (0, 0)), mode="reflect")
    return transform(t, c, style_vec, plan)[:, :h, :w, :]
