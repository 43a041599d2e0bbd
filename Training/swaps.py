"""The three statistic matches of the Swift engine (StyleNN `StatisticMatch`), in numpy
float64, for the evaluation (evaluate.py --match) and the Swift golden values
(Tests/StyleNNTests/Golden/make_golden_match.py). Same formulas, eps and quantile rule as
Sources/StyleNN/Match; features are one sample, C x H x W (numpy or torch).

moments (AdaIN, per channel):       t = sd_s / sd_c * (f - mu_c) + mu_s,  sd = sqrt(var + EPS)
covariance (WCT, Li et al. 2017):   t = T (f - mu_c) + mu_s,  T = S_s^(1/2) S_c^(-1/2),
    S^(p) = E diag((max(lam, 0) + EPS)^p) E^T from S = E diag(lam) E^T (a ridge EPS added to
    every eigenvalue of both covariances; with 1x1 blocks this is exactly the moments swap),
    covariances unbiased (divided by n - 1). groups=G: one (C/G)x(C/G) block per group.
    Mixing styles: T = (sum_k w_k S_k^(1/2)) S_c^(-1/2), mu_s = sum_k w_k mu_k
    (= the weighted mix of the single-style outputs, Li et al.'s interpolation).
distribution (EFDM, Zhang et al. 2022), per channel: y = Q_s(q_c(x)) with
    q_c from a BINS-bin histogram of the content over [min, max] of the channel, linear
    inside a bin: u = (x - m) * (BINS / (M - m)), j = min(max(floor(u), 0), BINS - 1),
    q = (cumcount_below_j + count_j * clamp(u - j, 0, 1)) / n (q = 0.5 if M == m);
    Q_s the style's sorted values at QUANTILES evenly spaced levels k / (K - 1) (numpy's
    linear quantile), interpolated linearly: u = q (K - 1), k = min(floor(u), K - 2),
    Q = Q_k + (u - k) (Q_{k+1} - Q_k). Mixing: Q = sum_k w_k Q^(k).
Alpha in every case: t' = alpha t + (1 - alpha) f."""
import numpy as np

EPS = 1e-5
BINS = 1024
QUANTILES = 1024


def _np(f):
    if hasattr(f, "detach"):
        f = f.detach().cpu().numpy()
    f = np.asarray(f)
    if f.ndim == 4:
        assert f.shape[0] == 1, "one sample"
        f = f[0]
    return f.reshape(f.shape[0], -1).astype(np.float64)  # C x P


# --- moments -------------------------------------------------------------------------

def moments_stats(f):
    x = _np(f)
    n = x.shape[1]
    mean = x.mean(1)
    var = ((x - mean[:, None]) ** 2).sum(1) / (n - 1) if n > 1 else np.zeros(x.shape[0])
    return mean, var


def moments_apply(content, styles, weights=None, alpha=1.0):
    x = _np(content)
    mc, vc = moments_stats(content)
    w = _weights(weights, len(styles))
    ms = sum(wk * moments_stats(s)[0] for wk, s in zip(w, styles))
    ss = sum(wk * np.sqrt(moments_stats(s)[1] + EPS) for wk, s in zip(w, styles))
    t = (x - mc[:, None]) * (ss / np.sqrt(vc + EPS))[:, None] + ms[:, None]
    return alpha * t + (1 - alpha) * x


# --- covariance ----------------------------------------------------------------------

def cov_stats(f, mask=None):
    """Mean (C) and unbiased covariance (C x C) over the pixels (where mask, if given)."""
    x = _np(f)
    if mask is not None:
        x = x[:, np.asarray(mask).reshape(-1) >= 0.5]
    n = x.shape[1]
    mean = x.mean(1)
    d = x - mean[:, None]
    cov = d @ d.T / (n - 1) if n > 1 else np.zeros((x.shape[0], x.shape[0]))
    return mean, cov


def sym_power(s, p, eps=EPS):
    lam, e = np.linalg.eigh(s)
    return (e * (np.maximum(lam, 0) + eps) ** p) @ e.T


def block_diag_power(s, p, groups, eps=EPS):
    c = s.shape[0]
    b = c // groups
    out = np.zeros_like(s)
    for g in range(groups):
        sl = slice(g * b, (g + 1) * b)
        out[sl, sl] = sym_power(s[sl, sl], p, eps)
    return out


def wct_transform(content_stats, style_stats, weights=None, groups=1, alpha=1.0):
    """(A, b) with t' = A f + b (A: C x C, b: C)."""
    mc, sc = content_stats
    w = _weights(weights, len(style_stats))
    colour = sum(wk * block_diag_power(ss, 0.5, groups) for wk, (_, ss) in zip(w, style_stats))
    ms = sum(wk * m for wk, (m, _) in zip(w, style_stats))
    t = colour @ block_diag_power(sc, -0.5, groups)
    a = alpha * t + (1 - alpha) * np.eye(len(mc))
    b = alpha * (ms - t @ mc)
    return a, b


def wct_apply(content, styles, weights=None, groups=1, alpha=1.0, content_stats=None):
    x = _np(content)
    a, b = wct_transform(content_stats or cov_stats(content), [cov_stats(s) for s in styles], weights, groups, alpha)
    return a @ x + b[:, None]


# --- distribution --------------------------------------------------------------------

def sketch(f, bins=BINS, mask=None):
    """Per channel: (min, max, counts[bins]) of the content values (where mask)."""
    x = _np(f)
    if mask is not None:
        x = x[:, np.asarray(mask).reshape(-1) >= 0.5]
    lo, hi = x.min(1), x.max(1)
    counts = np.zeros((x.shape[0], bins))
    for c in range(x.shape[0]):
        j = _bin(x[c], lo[c], hi[c], bins)
        counts[c] = np.bincount(j, minlength=bins)
    return lo, hi, counts


def _bin(v, lo, hi, bins):
    if hi <= lo:
        return np.zeros(v.shape, dtype=np.int64)
    scale = bins / (hi - lo)
    return np.clip(np.floor((v - lo) * scale), 0, bins - 1).astype(np.int64)


def sketch_quantile(v, lo, hi, counts):
    """q in [0, 1] of the values v of one channel under its sketch (lo, hi, counts)."""
    bins = len(counts)
    n = counts.sum()
    if hi <= lo or n == 0:
        return np.full(v.shape, 0.5)
    scale = bins / (hi - lo)
    below = np.concatenate([[0.0], np.cumsum(counts)[:-1]])
    u = (v - lo) * scale
    j = np.clip(np.floor(u), 0, bins - 1).astype(np.int64)
    t = np.clip(u - j, 0.0, 1.0)
    return (below[j] + counts[j] * t) / n


def style_quantiles(f, k=QUANTILES, mask=None):
    """C x K: each channel's values at levels i / (K - 1) (numpy's linear quantile)."""
    x = _np(f)
    if mask is not None:
        x = x[:, np.asarray(mask).reshape(-1) >= 0.5]
    xs = np.sort(x, axis=1)
    n = xs.shape[1]
    pos = np.arange(k) / (k - 1) * (n - 1)
    i0 = np.floor(pos).astype(np.int64)
    i1 = np.minimum(i0 + 1, n - 1)
    frac = pos - i0
    return xs[:, i0] + frac * (xs[:, i1] - xs[:, i0])


def quantile_lookup(q, table):
    k = len(table)
    u = q * (k - 1)
    i = np.clip(np.floor(u), 0, k - 2).astype(np.int64)
    return table[i] + (u - i) * (table[i + 1] - table[i])


def efdm_apply(content, styles, weights=None, alpha=1.0, content_sketch=None):
    x = _np(content)
    lo, hi, counts = content_sketch or sketch(content)
    w = _weights(weights, len(styles))
    table = sum(wk * style_quantiles(s) for wk, s in zip(w, styles))
    y = np.empty_like(x)
    for c in range(x.shape[0]):
        y[c] = quantile_lookup(sketch_quantile(x[c], lo[c], hi[c], counts[c]), table[c])
    return alpha * y + (1 - alpha) * x


def efdm_exact(content, style):
    """The sort-based EFDM of the paper (ties broken by a stable sort): the content value of
    rank r gets the style's value at rank floor(r * n_s / n_c)."""
    x, s = _np(content), _np(style)
    y = np.empty_like(x)
    ss = np.sort(s, axis=1)
    n_c, n_s = x.shape[1], s.shape[1]
    for c in range(x.shape[0]):
        order = np.argsort(x[c], kind="stable")
        y[c, order] = ss[c, (np.arange(n_c) * n_s) // n_c]
    return y


# --- one entry point ----------------------------------------------------------------

def match(content, style, kind="moments", alpha=1.0):
    """content, style: 1 x C x H x W float tensors/arrays; returns C x H x W float64."""
    shape = _np(content).shape
    if kind == "moments":
        y = moments_apply(content, [style], alpha=alpha)
    elif kind == "covariance":
        y = wct_apply(content, [style], alpha=alpha)
    elif kind == "distribution":
        y = efdm_apply(content, [style], alpha=alpha)
    else:
        raise ValueError(f"unknown match {kind!r} (moments, covariance, distribution)")
    c = content.shape[1] if np.ndim(content) == 4 else content.shape[0]
    h, w = content.shape[-2:]
    return y.reshape(c, h, w)


def _weights(weights, n):
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    return w / w.sum()
