"""Independent re-implementation of ARCHITECTURE.md in plain numpy (no PyTorch, none of
the training code): reads Weights/default.safetensors and the reference case in
Tests/StyleModelsTests/Reference/, recomputes the output and reports the difference.
It checks that ARCHITECTURE.md alone is enough to port the model (as the Swift side does).
Usage: python Training/check_reference_numpy.py"""
import json
import math
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file

REPO = Path(__file__).resolve().parent.parent


def conv(x, w, b, stride=1, groups=1, pad=(0, 0, 0, 0), mode="zero"):
    """x: C x H x W, w: O x (C/groups) x k x k, pad = (top, bottom, left, right)."""
    t, bt, l, r = pad
    x = np.pad(x, ((0, 0), (t, bt), (l, r)), mode="constant" if mode == "zero" else "reflect")
    c, h, wd = x.shape
    o, cg, k, _ = w.shape
    oh, ow = (h - k) // stride + 1, (wd - k) // stride + 1
    out = np.zeros((o, oh, ow), np.float64)
    og = o // groups
    for g in range(groups):
        xs = x[g * cg:(g + 1) * cg]
        for i in range(k):
            for j in range(k):
                patch = xs[:, i:i + stride * oh:stride, j:j + stride * ow:stride]  # cg x oh x ow
                out[g * og:(g + 1) * og] += np.einsum("oc,chw->ohw", w[g * og:(g + 1) * og, :, i, j], patch)
    return out + b[:, None, None]


def same_pad(n, s, k=3):
    out = math.ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def enc_conv(T, name, x, stride=1, depthwise=False):
    w, b = T[f"encoder.{name}.weight"], T[f"encoder.{name}.bias"]
    pad = (0, 0, 0, 0)
    if w.shape[-1] == 3:
        pad = (*same_pad(x.shape[1], stride), *same_pad(x.shape[2], stride))
    return conv(x, w, b, stride, w.shape[0] if depthwise else 1, pad)


relu6 = lambda x: np.clip(x, 0, 6)


def encoder(T, x):
    x = relu6(enc_conv(T, "conv0", x, 2))
    x = relu6(enc_conv(T, "ec0_depthwise", x, 1, True))
    x = enc_conv(T, "ec0_project", x)
    for k, s, res in [(1, 2, False), (2, 1, True), (3, 2, False), (4, 1, True), (5, 1, True)]:
        inp = x
        x = relu6(enc_conv(T, f"ec{k}_expand", x))
        x = relu6(enc_conv(T, f"ec{k}_depthwise", x, s, True))
        x = enc_conv(T, f"ec{k}_project", x)
        if res:
            x = x + inp
    return relu6(enc_conv(T, "ec6_expand", x))


def mean_std(f):
    flat = f.reshape(f.shape[0], -1)
    m = flat.mean(1)
    v = ((flat - m[:, None]) ** 2).sum(1) / (flat.shape[1] - 1) + 1e-5
    return m, np.sqrt(v)


def decoder(T, widths, t):
    x = t
    for i in range(len(widths)):
        x = np.maximum(conv(x, T[f"decoder.conv{i}.weight"], T[f"decoder.conv{i}.bias"], pad=(1, 1, 1, 1), mode="reflect"), 0)
        if i < len(widths) - 1:
            x = x.repeat(2, axis=1).repeat(2, axis=2)
    y = conv(x, T["decoder.out.weight"], T["decoder.out.bias"], pad=(1, 1, 1, 1), mode="reflect")
    return 1 / (1 + np.exp(-y))


def main():
    from safetensors import safe_open
    path = REPO / "Weights/default.safetensors"
    T = {k: v.astype(np.float64) for k, v in load_file(str(path)).items()}
    with safe_open(str(path), "np") as f:
        meta = f.metadata()
    ref_dir = REPO / "Tests/StyleModelsTests/Reference"
    ref = json.loads((ref_dir / "reference.json").read_text())
    rd = lambda n, h, w: np.fromfile(ref_dir / n, "<f4").reshape(h, w, 3).transpose(2, 0, 1).astype(np.float64)
    H, W = ref["content"]["height"], ref["content"]["width"]
    c = rd("content.f32", H, W)
    s = rd("style.f32", ref["style"]["height"], ref["style"]["width"])
    P = int(meta["content_pad"])
    eh, ew = (-(H + 2 * P)) % 8, (-(W + 2 * P)) % 8
    xc = np.pad(c, ((0, 0), (P, P + eh), (P, P + ew)), mode="reflect")
    fc, fs = encoder(T, xc), encoder(T, s)
    cm, cs = mean_std(fc)
    sm, ss = mean_std(fs)
    t = ss[:, None, None] * (fc - cm[:, None, None]) / cs[:, None, None] + sm[:, None, None]
    widths = [int(v) for v in meta["decoder_widths"].split(",")]
    y = decoder(T, widths, t)[:, P:P + H, P:P + W]
    out = rd("output.f32", H, W)
    print(f"content features mean: max |diff| {np.abs(cm - np.array(ref['content_features_mean'])).max():.2e}")
    print(f"style features std:    max |diff| {np.abs(ss - np.array(ref['style_features_std'])).max():.2e}")
    d = np.abs(y - out)
    print(f"output: max |diff| {d.max():.2e} ({d.max() * 255:.4f} levels), mean {d.mean():.2e}")


if __name__ == "__main__":
    main()
