#!/usr/bin/env python3
"""Writes the golden values the StyleNN tests compare against.

Run from the repository root with the project's training interpreter:

    python3 Tests/StyleNNTests/Golden/make_golden.py

Every tensor is written in NHWC order (torch is NCHW; we permute before writing) as
{"shape": [n, h, w, c], "data": [...]} with float32 values printed with 9 significant
digits (exact for float32). Inputs are seeded, so rerunning reproduces the files.

Files (in Tests/StyleNNTests/Golden/):
  batchnorm.json     nn.BatchNorm2d: several training steps (outputs and running stats
                     after each, PyTorch's momentum update with unbiased running variance),
                     then eval mode on a fresh input.
  layernorm.json     nn.LayerNorm([C,H,W]) without affine; the same with an elementwise
                     affine whose weight/bias are constant over H, W (= per-channel);
                     nn.GroupNorm(1, C) with per-channel affine.
  instancenorm.json  nn.InstanceNorm2d with and without affine.
  groupnorm.json     nn.GroupNorm for several (G, C).
  adain.json         pytorch-AdaIN's adaptive_instance_normalization (calc_mean_std:
                     unbiased variance + eps 1e-5), its style interpolation with alpha
                     (test.py), and AdaIN's spatial control (content statistics over the
                     masked region, as the original Torch test.lua does).
  color.json         linear colour matching (Gatys et al. 2017): x' = Sc^1/2 Ss^-1/2 (x - ms) + mc,
                     symmetric matrix square roots from numpy's eigh, in float64.
"""
import json
import os

import numpy as np
import torch
from torch import nn

OUT = os.path.dirname(os.path.abspath(__file__))


def f32(values):
    if isinstance(values, torch.Tensor):
        values = values.detach().numpy()
    return [float("%.9g" % v) for v in np.asarray(values, dtype=np.float32).reshape(-1)]


def nhwc(t):
    """A torch NCHW tensor as {"shape": [n,h,w,c], "data": [...]} in NHWC order."""
    a = t.detach().permute(0, 2, 3, 1).contiguous().numpy()
    return {"shape": list(a.shape), "data": f32(a)}


def randn(gen, *shape, scale=1.0, shift=0.0):
    return torch.randn(*shape, generator=gen) * scale + shift


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    print(f"{path}: {os.path.getsize(path)} bytes")


# --- pytorch-AdaIN's function.py (MIT licence, naoto0804/pytorch-AdaIN), verbatim ---
def calc_mean_std(feat, eps=1e-5):
    size = feat.size()
    assert (len(size) == 4)
    N, C = size[:2]
    feat_var = feat.view(N, C, -1).var(dim=2) + eps
    feat_std = feat_var.sqrt().view(N, C, 1, 1)
    feat_mean = feat.view(N, C, -1).mean(dim=2).view(N, C, 1, 1)
    return feat_mean, feat_std


def adaptive_instance_normalization(content_feat, style_feat):
    assert (content_feat.size()[:2] == style_feat.size()[:2])
    size = content_feat.size()
    style_mean, style_std = calc_mean_std(style_feat)
    content_mean, content_std = calc_mean_std(content_feat)
    normalized_feat = (content_feat - content_mean.expand(size)) / content_std.expand(size)
    return normalized_feat * style_std.expand(size) + style_mean.expand(size)
# --- end of pytorch-AdaIN code ---


def batchnorm(gen):
    cases = []
    for (n, c, h, w, momentum, eps, affine) in [(2, 5, 3, 4, 0.1, 1e-5, True), (3, 4, 2, 3, 0.25, 1e-3, False)]:
        layer = nn.BatchNorm2d(c, eps=eps, momentum=momentum, affine=affine)
        if affine:
            with torch.no_grad():
                layer.weight.copy_(randn(gen, c, scale=0.5, shift=1.0))
                layer.bias.copy_(randn(gen, c, scale=0.5))
        layer.train()
        steps = []
        for step in range(3):
            x = randn(gen, n, c, h, w, scale=1.0 + step, shift=0.5 * step - 0.3)
            y = layer(x)
            steps.append({"input": nhwc(x), "output": nhwc(y),
                          "running_mean": f32(layer.running_mean), "running_var": f32(layer.running_var)})
        layer.eval()
        x = randn(gen, n, c, h, w, scale=2.0, shift=0.7)
        case = {"channels": c, "momentum": momentum, "eps": eps, "affine": affine, "steps": steps,
                "eval_input": nhwc(x), "eval_output": nhwc(layer(x))}
        if affine:
            case["gamma"] = f32(layer.weight)
            case["beta"] = f32(layer.bias)
        cases.append(case)
    return {"cases": cases}


def layernorm(gen):
    n, c, h, w = 2, 6, 3, 4
    x = randn(gen, n, c, h, w, scale=1.5, shift=0.4)
    plain = nn.LayerNorm([c, h, w], eps=1e-5, elementwise_affine=False)
    gamma = randn(gen, c, scale=0.5, shift=1.0)
    beta = randn(gen, c, scale=0.5)
    broadcast = nn.LayerNorm([c, h, w], eps=1e-5)
    with torch.no_grad():
        broadcast.weight.copy_(gamma.view(c, 1, 1).expand(c, h, w))
        broadcast.bias.copy_(beta.view(c, 1, 1).expand(c, h, w))
    group1 = nn.GroupNorm(1, c, eps=1e-5)
    with torch.no_grad():
        group1.weight.copy_(gamma)
        group1.bias.copy_(beta)
    return {"channels": c, "eps": 1e-5, "input": nhwc(x), "gamma": f32(gamma), "beta": f32(beta),
            "layernorm_no_affine": nhwc(plain(x)),
            "layernorm_channel_affine": nhwc(broadcast(x)),
            "groupnorm_1": nhwc(group1(x))}


def instancenorm(gen):
    cases = []
    for (n, c, h, w, eps, affine) in [(2, 5, 4, 3, 1e-5, True), (1, 7, 5, 5, 1e-3, False)]:
        layer = nn.InstanceNorm2d(c, eps=eps, affine=affine)
        if affine:
            with torch.no_grad():
                layer.weight.copy_(randn(gen, c, scale=0.5, shift=1.0))
                layer.bias.copy_(randn(gen, c, scale=0.5))
        x = randn(gen, n, c, h, w, scale=2.0, shift=-1.0)
        case = {"channels": c, "eps": eps, "affine": affine, "input": nhwc(x), "output": nhwc(layer(x))}
        if affine:
            case["gamma"] = f32(layer.weight)
            case["beta"] = f32(layer.bias)
        cases.append(case)
    return {"cases": cases}


def groupnorm(gen):
    cases = []
    for (n, g, c, h, w, eps, affine) in [(2, 3, 6, 3, 4, 1e-5, True), (1, 4, 8, 3, 3, 1e-3, False), (2, 2, 10, 2, 5, 1e-5, True)]:
        layer = nn.GroupNorm(g, c, eps=eps, affine=affine)
        if affine:
            with torch.no_grad():
                layer.weight.copy_(randn(gen, c, scale=0.5, shift=1.0))
                layer.bias.copy_(randn(gen, c, scale=0.5))
        x = randn(gen, n, c, h, w, scale=1.0, shift=0.2)
        case = {"groups": g, "channels": c, "eps": eps, "affine": affine, "input": nhwc(x), "output": nhwc(layer(x))}
        if affine:
            case["gamma"] = f32(layer.weight)
            case["beta"] = f32(layer.bias)
        cases.append(case)
    return {"cases": cases}


def adain(gen):
    c = 8
    content = randn(gen, 1, c, 5, 6, scale=2.0, shift=1.0).relu()
    style1 = randn(gen, 1, c, 7, 4, scale=3.0, shift=0.5).relu()
    style2 = randn(gen, 1, c, 4, 4, scale=0.7, shift=2.0)
    plain = adaptive_instance_normalization(content, style1)
    # test.py's style interpolation, then the alpha trade-off.
    weights, alpha = [0.3, 0.7], 0.6
    styles = torch.cat([style1[:, :, :4, :4], style2])
    base = adaptive_instance_normalization(content.expand(2, c, 5, 6), styles)
    mixed = sum(wt * base[i:i + 1] for i, wt in enumerate(weights))
    mixed = mixed * alpha + content * (1 - alpha)
    # Spatial control (AdaIN test.lua): content statistics over each region of the mask,
    # foreground style 1, background style 2, each style's statistics over its whole image.
    mask = (torch.rand(5, 6, generator=gen) > 0.5)
    flat = content.view(c, -1)
    fg_idx = mask.view(-1).nonzero().view(-1)
    bg_idx = (~mask).view(-1).nonzero().view(-1)
    target = torch.zeros_like(flat)
    target[:, fg_idx] = adaptive_instance_normalization(flat[:, fg_idx].view(1, c, -1, 1), style1).view(c, -1)
    target[:, bg_idx] = adaptive_instance_normalization(flat[:, bg_idx].view(1, c, -1, 1), style2).view(c, -1)
    return {"content": nhwc(content), "style1": nhwc(style1), "style2": nhwc(style2),
            "adain": nhwc(plain),
            "mix_weights": weights, "mix_alpha": alpha, "mix_style1_crop": [4, 4], "mix": nhwc(mixed),
            "mask": {"shape": [1, 5, 6, 1], "data": f32(mask.float())},
            "masked": nhwc(target.view(1, c, 5, 6))}


def color(gen):
    def stats(img):
        x = img.reshape(-1, 3).astype(np.float64)
        return x.mean(0), np.cov(x.T, bias=True)

    def sqrtm(s, inverse=False):
        vals, vecs = np.linalg.eigh(s)
        d = np.power(vals, -0.5 if inverse else 0.5)
        return (vecs * d) @ vecs.T

    content = torch.rand(1, 3, 6, 5, generator=gen).numpy().transpose(0, 2, 3, 1)
    # A style with strongly correlated, shifted colours.
    base = torch.rand(1, 3, 4, 7, generator=gen).numpy().transpose(0, 2, 3, 1)
    mix = np.array([[0.8, 0.1, 0.1], [0.5, 0.4, 0.1], [0.2, 0.2, 0.3]])
    style = (base.reshape(-1, 3) @ mix.T + np.array([0.05, 0.1, 0.3])).reshape(base.shape).astype(np.float32)
    mc, sc = stats(content)
    ms, ss = stats(style)
    a = sqrtm(sc) @ sqrtm(ss, inverse=True)
    out = (style.reshape(-1, 3).astype(np.float64) - ms) @ a.T + mc
    return {"content": {"shape": list(content.shape), "data": f32(content)},
            "style": {"shape": list(style.shape), "data": f32(style)},
            "matched": {"shape": list(style.shape), "data": f32(out)}}


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(2024)
    write("batchnorm.json", batchnorm(gen))
    write("layernorm.json", layernorm(gen))
    write("instancenorm.json", instancenorm(gen))
    write("groupnorm.json", groupnorm(gen))
    write("adain.json", adain(gen))
    write("color.json", color(gen))


if __name__ == "__main__":
    main()
