"""Write the Swift reference case for the default model to Tests/StyleModelsTests/Reference/.

Runs Weights/default.safetensors exactly as the Swift engine must (float16 weights widened
to float32, forward pass of Training/ARCHITECTURE.md §5) on a small synthetic content/style
pair generated here (no third-party image), and writes, little-endian float32, HWC order
(row-major: y, x, channel RGB), values in [0, 1]:
  content.f32   CONTENT_H x CONTENT_W x 3   (exact multiples of 1/255: byte / 255)
  style.f32     STYLE_H x STYLE_W x 3       (same)
  output.f32    CONTENT_H x CONTENT_W x 3   stylized output, alpha = 1
and reference.json with the sizes, the weights' sha256, and intermediate values:
  content_features_mean/std: per-channel mean and std (AdaIN convention: unbiased + 1e-5,
    std = sqrt(var)) of the encoder output of the PADDED content; style_features_mean/std
    the same for the (unpadded) style; output_mean per RGB channel.
Sizes are odd on purpose: the content needs the extra bottom/right padding to a multiple
of 8, and the style exercises TF-SAME padding on odd extents (1 before, 1 after at stride 2).
Usage: python Training/make_reference.py [--weights Weights/default.safetensors]"""
import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from model import mean_std, pad_content, stylize
from weights_io import load_exported

REPO = Path(__file__).resolve().parent.parent
CONTENT_H, CONTENT_W = 45, 61
STYLE_H, STYLE_W = 41, 53


def synthetic_content(h, w):
    """A smooth 'landscape': sky gradient, a dark disc, a sine-edged hill, as bytes / 255."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w, 3))
    img[..., 0] = 0.35 + 0.4 * y / h
    img[..., 1] = 0.55 + 0.2 * x / w
    img[..., 2] = 0.95 - 0.3 * y / h
    hill = y > h * 0.6 + 4 * np.sin(x / 5.0)
    img[hill] = np.stack([0.2 + 0.1 * np.sin(x / 3.0), 0.5 + 0.2 * np.cos(y / 4.0), 0.15 + 0 * x], -1)[hill]
    disc = (x - w * 0.7) ** 2 + (y - h * 0.3) ** 2 < (h * 0.15) ** 2
    img[disc] = [0.95, 0.8, 0.2]
    return np.round(np.clip(img, 0, 1) * 255) / 255


def synthetic_style(h, w):
    """Diagonal coloured strokes with seeded noise, as bytes / 255."""
    rng = np.random.default_rng(1234)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    phase = (x + 0.6 * y) / 3.0
    img = np.stack([0.5 + 0.45 * np.sin(phase), 0.4 + 0.35 * np.sin(phase * 0.7 + 1.0),
                    0.3 + 0.3 * np.cos(y / 6.0)], -1)
    img += rng.normal(0, 0.06, img.shape)
    return np.round(np.clip(img, 0, 1) * 255) / 255


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--weights", default=str(REPO / "Weights/default.safetensors"))
    p.add_argument("--out", default=str(REPO / "Tests/StyleModelsTests/Reference"))
    args = p.parse_args()
    torch.set_num_threads(1)
    enc, dec, meta, _, _ = load_exported(args.weights)
    content = synthetic_content(CONTENT_H, CONTENT_W).astype(np.float32)
    style = synthetic_style(STYLE_H, STYLE_W).astype(np.float32)
    c = torch.from_numpy(content).permute(2, 0, 1)[None]
    s = torch.from_numpy(style).permute(2, 0, 1)[None]
    pad = int(meta["content_pad"])
    with torch.no_grad():
        out = stylize(enc, dec, c, s, alpha=1.0, pad=pad)
        fc = enc(pad_content(c, pad))
        fs = enc(s)
        cm, cs = mean_std(fc)
        sm, ss = mean_std(fs)
    y = out[0].permute(1, 2, 0).numpy().astype(np.float32)
    od = Path(args.out)
    od.mkdir(parents=True, exist_ok=True)
    for name, arr in [("content", content), ("style", style), ("output", y)]:
        arr.astype("<f4").tofile(od / f"{name}.f32")
    sha = hashlib.sha256(Path(args.weights).read_bytes()).hexdigest()
    vec = lambda t: [round(float(v), 7) for v in t.flatten()]
    ref = {
        "generator": "Training/make_reference.py",
        "weights_sha256": sha,
        "layout": "HWC float32 little-endian, RGB in [0,1]",
        "content": {"file": "content.f32", "height": CONTENT_H, "width": CONTENT_W},
        "style": {"file": "style.f32", "height": STYLE_H, "width": STYLE_W},
        "output": {"file": "output.f32", "height": CONTENT_H, "width": CONTENT_W, "alpha": 1.0},
        "content_pad": pad,
        "padded_content_size": list(pad_content(c, pad).shape[-2:]),
        "content_features_shape": list(fc.shape[1:]),
        "style_features_shape": list(fs.shape[1:]),
        "content_features_mean": vec(cm), "content_features_std": vec(cs),
        "style_features_mean": vec(sm), "style_features_std": vec(ss),
        "output_mean": [round(float(v), 7) for v in y.mean(axis=(0, 1))],
        "tolerance_note": "Swift vs this script: within 2/255 per pixel (issue 6); float32 arithmetic "
                          "order differences give ~1e-5.",
    }
    (od / "reference.json").write_text(json.dumps(ref, indent=1) + "\n")
    total = sum(f.stat().st_size for f in od.iterdir())
    print(f"wrote {od} ({total} bytes); output mean {ref['output_mean']}")


if __name__ == "__main__":
    main()
