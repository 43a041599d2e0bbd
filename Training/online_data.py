"""On-the-fly crops on the training device (used for GPU runs, where precomputing is
unnecessary): every sample is a fresh random crop of a random training image, rescaled so
the image's shorter side is uniform in [short_lo, min(short_hi, original)], flipped with
probability 1/2, and (style only) RGB-permuted with probability permute_frac."""
import numpy as np
import torch
import torch.nn.functional as F

import data

PERMS = [(0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]


class OnlineCrops:
    def __init__(self, paths, size, short_lo, short_hi, device, gen, permute_frac=0.0, max_short=640):
        self.imgs = []
        for p in paths:
            img = data.load_rgb(p)
            if min(img.size) > max_short:
                s = max_short / min(img.size)
                img = img.resize((round(img.width * s), round(img.height * s)), resample=1)  # LANCZOS
            a = torch.from_numpy(np.asarray(img).copy()).permute(2, 0, 1).float().div(255)
            self.imgs.append(a.to(device))
        self.size, self.lo, self.hi = size, short_lo, short_hi
        self.gen, self.permute_frac = gen, permute_frac

    def _r(self, n=None):
        return torch.rand((), generator=self.gen).item()

    def sample(self, n):
        out = []
        for _ in range(n):
            img = self.imgs[int(self._r() * len(self.imgs))]
            h, w = img.shape[-2:]
            short = min(h, w)
            hi = max(self.size + 16, min(self.hi, short))
            lo = min(max(self.size + 16, self.lo), hi)
            target = lo + self._r() * (hi - lo)
            s = target / short
            nh, nw = max(self.size, round(h * s)), max(self.size, round(w * s))
            im = F.interpolate(img[None], size=(nh, nw), mode="bilinear", align_corners=False, antialias=True)[0]
            y0 = int(self._r() * (nh - self.size + 1))
            x0 = int(self._r() * (nw - self.size + 1))
            crop = im[:, y0:y0 + self.size, x0:x0 + self.size]
            if self._r() < 0.5:
                crop = crop.flip(-1)
            if self._r() < self.permute_frac:
                crop = crop[list(PERMS[int(self._r() * 5)])]
            out.append(crop)
        return torch.stack(out).clamp(0, 1)
