#!/usr/bin/env python3
"""Writes the golden values of the statistic-match tests (covariance / WCT, distribution /
EFDM), from numpy float64 and Training/swaps.py (the formulas of Sources/StyleNN/Match).

Run from the repository root with the project's training interpreter (Training/requirements.txt):

    python Tests/StyleNNTests/Golden/make_golden_match.py

Files (in Tests/StyleNNTests/Golden/), tensors NHWC as {"shape": [n,h,w,c], "data": [...]},
float32 values with 9 significant digits, float64 ones with 17:
  match.json       seeded synthetic features:
                   covariance  mean and unbiased covariance (numpy.cov), also over a mask;
                   eigen       symmetric matrices (well spread, rank-deficient, repeated
                               eigenvalues) and their numpy.linalg.eigh eigenvalues;
                   wct         WCT outputs (instance; group G=2; two styles mixed 0.3/0.7
                               with alpha 0.6; a mask with a style per region);
                   efdm        EFDM through the sketch (swaps.efdm_apply: 1024 bins, 1024
                               levels), on continuous features and on ReLU features with ties
                               at 0, with the sort-based EFDM of the paper (swaps.efdm_exact)
                               beside it, and a two-style mix with alpha.
  match_real.json + match_real.f32
                   one real pair through the default model's encoder (Training/model.py,
                   Weights/default.safetensors): Images/coffee.jpg resized to 48x32 (with the
                   16-px reflection margin: 10x8 cells) and Images/flow.jpg at 64x64 (8x8
                   cells), 192 channels; the covariance and distribution outputs of swaps.py.
                   The .f32 file holds little-endian float32 arrays, NHWC, in the order the
                   JSON lists them.
"""
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Training"))
import swaps  # noqa: E402

OUT = os.path.dirname(os.path.abspath(__file__))


def f32(a):
    return [float("%.9g" % v) for v in np.asarray(a, dtype=np.float32).reshape(-1)]


def f64(a):
    return [float(repr(float(v))) for v in np.asarray(a, dtype=np.float64).reshape(-1)]


def nhwc(chw):
    """C x H x W -> {"shape": [1,h,w,c], "data"} (float32 values)."""
    a = np.asarray(chw, dtype=np.float32)
    return {"shape": [1, a.shape[1], a.shape[2], a.shape[0]], "data": f32(a.transpose(1, 2, 0))}


def features(rng, c, h, w, mix=None, shift=0.0, relu=False):
    x = rng.standard_normal((c, h * w))
    if mix is not None:
        x = mix @ x
    x = x + shift
    if relu:
        x = np.maximum(x, 0)
    return x.astype(np.float32).reshape(c, h, w)


def covariance_cases(rng):
    c = 8
    mix = rng.standard_normal((c, c)) * 0.6 + np.eye(c)
    x = features(rng, c, 6, 5, mix, shift=rng.standard_normal((c, 1)))
    mask = (rng.random((6, 5)) > 0.4).astype(np.float32)
    m, s = swaps.cov_stats(x)
    mm, sm = swaps.cov_stats(x, mask)
    return {"features": nhwc(x), "mean": f64(m), "covariance": f64(s),
            "mask": {"shape": [1, 6, 5, 1], "data": f32(mask)}, "masked_mean": f64(mm), "masked_covariance": f64(sm)}


def eigen_cases(rng):
    cases = []
    n = 12
    a = rng.standard_normal((n, n))
    cases.append(a + a.T)                                     # well spread, indefinite
    b = rng.standard_normal((n, 5))
    cases.append(b @ b.T)                                     # rank 5 (like dead channels)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    cases.append((q * np.array([3, 3, 3, 1, 1, 0.5, 0.5, 0.5, 0.5, 2, 2, 1e-9])) @ q.T)  # repeated
    out = []
    for m in cases:
        m = (m + m.T) / 2
        out.append({"size": n, "matrix": f64(m), "values": f64(np.linalg.eigh(m)[0])})
    return out


def wct_cases(rng):
    c = 8
    mix_c = rng.standard_normal((c, c)) * 0.5 + np.eye(c)
    mix_s = rng.standard_normal((c, c)) * 0.8
    content = features(rng, c, 7, 6, mix_c, shift=0.5, relu=False)
    style1 = features(rng, c, 5, 9, mix_s, shift=1.0)
    style2 = features(rng, c, 6, 6, rng.standard_normal((c, c)), shift=-0.3)
    shape = (c, 7, 6)
    plain = swaps.wct_apply(content, [style1]).reshape(shape)
    group = swaps.wct_apply(content, [style1], groups=2).reshape(shape)
    mixed = swaps.wct_apply(content, [style1, style2], weights=[0.3, 0.7], alpha=0.6).reshape(shape)
    # Mask: content statistics per region, foreground style 1, background style 2.
    mask = (rng.random((7, 6)) > 0.5)
    flat = content.reshape(c, -1).astype(np.float64)
    fg, bg = mask.reshape(-1), ~mask.reshape(-1)
    out = np.zeros_like(flat)
    for sel, style in ((fg, style1), (bg, style2)):
        a, b = swaps.wct_transform(swaps.cov_stats(flat[:, sel][:, :, None]), [swaps.cov_stats(style)])
        out[:, sel] = a @ flat[:, sel] + b[:, None]
    return {"content": nhwc(content), "style1": nhwc(style1), "style2": nhwc(style2),
            "plain": nhwc(plain), "group2": nhwc(group), "mix_weights": [0.3, 0.7], "mix_alpha": 0.6, "mix": nhwc(mixed),
            "mask": {"shape": [1, 7, 6, 1], "data": f32(mask.astype(np.float32))}, "masked": nhwc(out.reshape(shape))}


def efdm_cases(rng):
    c = 6
    cases = {}
    for name, relu in (("continuous", False), ("relu", True)):
        content = features(rng, c, 9, 8, rng.standard_normal((c, c)) * 0.4 + np.eye(c), shift=0.2, relu=relu)
        style = features(rng, c, 10, 11, rng.standard_normal((c, c)), shift=0.7, relu=relu)
        shape = content.shape
        cases[name] = {"content": nhwc(content), "style": nhwc(style),
                       "sketch": nhwc(swaps.efdm_apply(content, [style]).reshape(shape)),
                       "exact": nhwc(swaps.efdm_exact(content, style).reshape(shape))}
    content = features(rng, c, 9, 8, shift=0.1)
    s1 = features(rng, c, 7, 7, shift=1.0)
    s2 = features(rng, c, 8, 5, rng.standard_normal((c, c)))
    cases["mix"] = {"content": nhwc(content), "style1": nhwc(s1), "style2": nhwc(s2), "weights": [0.25, 0.75], "alpha": 0.7,
                    "output": nhwc(swaps.efdm_apply(content, [s1, s2], weights=[0.25, 0.75], alpha=0.7).reshape(content.shape))}
    return cases


def real_pair():
    from model import pad_content
    from weights_io import load_exported
    enc, _, *_ = load_exported(os.path.join(ROOT, "Weights", "default.safetensors"))

    def load(name, size):
        img = Image.open(os.path.join(ROOT, "Images", name)).convert("RGB").resize(size, Image.LANCZOS)
        return torch.from_numpy(np.asarray(img, dtype=np.float32) / 255).permute(2, 0, 1)[None]

    with torch.no_grad():
        fc = enc(pad_content(load("coffee.jpg", (48, 32))))[0].numpy()
        fs = enc(load("flow.jpg", (64, 64)))[0].numpy()
    arrays = {"content": fc, "style": fs,
              "covariance": swaps.wct_apply(fc, [fs]).reshape(fc.shape),
              "distribution": swaps.efdm_apply(fc, [fs]).reshape(fc.shape)}
    blob, meta = bytearray(), []
    for name, a in arrays.items():
        a = np.ascontiguousarray(np.asarray(a, dtype=np.float32).transpose(1, 2, 0))
        meta.append({"name": name, "shape": [1, *a.shape]})
        blob += a.astype("<f4").tobytes()
    with open(os.path.join(OUT, "match_real.f32"), "wb") as f:
        f.write(blob)
    return {"arrays": meta, "eps": swaps.EPS, "bins": swaps.BINS, "levels": swaps.QUANTILES}


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    print(f"{path}: {os.path.getsize(path)} bytes")


def main():
    rng = np.random.default_rng(2317)
    write("match.json", {"eps": swaps.EPS, "bins": swaps.BINS, "levels": swaps.QUANTILES,
                         "covariance": covariance_cases(rng), "eigen": eigen_cases(rng),
                         "wct": wct_cases(rng), "efdm": efdm_cases(rng)})
    write("match_real.json", real_pair())


if __name__ == "__main__":
    main()
