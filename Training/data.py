"""Training and held-out evaluation images, and the seeded crop set.

Training: every image in SHARED/images/train/content and SHARED/images/train/style.
Held out (never trained on): SHARED/images/content and SHARED/images/style
(the AdaIN demonstration set used by the project's tests and benchmarks).
Images are read in place and never copied into the repository."""
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

# The workplace's shared data folder: $STYLIZE_SHARED, by default `../shared` beside the repository.
SHARED = Path(os.environ.get("STYLIZE_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


def list_images(folder):
    folder = Path(folder)
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in EXTS)


def train_lists():
    return (list_images(SHARED / "images/train/content"), list_images(SHARED / "images/train/style"))


def eval_lists():
    return (list_images(SHARED / "images/content"), list_images(SHARED / "images/style"))


def load_rgb(path, max_side=None):
    img = ImageOps.exif_transpose(Image.open(path))
    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        bg = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(bg, img)
    img = img.convert("RGB")
    if max_side and max(img.size) > max_side:
        s = max_side / max(img.size)
        img = img.resize((max(1, round(img.width * s)), max(1, round(img.height * s))), Image.LANCZOS)
    return img


def random_crops(paths, n_total, size, short_lo, short_hi, rng, permute_frac=0.0):
    """n_total uint8 crops (n, size, size, 3): images visited round-robin; each crop
    resizes its image so the shorter side is uniform in [short_lo, min(short_hi, original)]
    (never below `size`+16), takes a random size x size window, flips it horizontally with
    probability 1/2, and with probability permute_frac permutes the RGB channels."""
    imgs = [load_rgb(p, max_side=1600) for p in paths]
    out = np.zeros((n_total, size, size, 3), np.uint8)
    for i in range(n_total):
        img = imgs[i % len(imgs)]
        short = min(img.size)
        hi = max(size + 16, min(short_hi, short))
        lo = min(max(size + 16, short_lo), hi)
        target = int(rng.integers(lo, hi + 1))
        s = target / short
        w, h = max(size, round(img.width * s)), max(size, round(img.height * s))
        im = img.resize((w, h), Image.BICUBIC if s > 1 else Image.LANCZOS)
        x0 = int(rng.integers(0, w - size + 1))
        y0 = int(rng.integers(0, h - size + 1))
        a = np.asarray(im.crop((x0, y0, x0 + size, y0 + size)))
        if rng.random() < 0.5:
            a = a[:, ::-1]
        if rng.random() < permute_frac:
            perms = [(0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]
            a = a[:, :, list(perms[int(rng.integers(0, 5))])]
        out[i] = a
    return out
