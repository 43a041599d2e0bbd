"""Train the default AdaIN decoder on top of the frozen MobileNet encoder.

Loss per batch of B (default 8): the first B-2 samples get a random style and the
AdaIN target t = adain(f_c, mean_s, std_s); the last 2 keep their own statistics
(t = f_c) and add a pixel term so that decoding a photo's own features returns it.
  out = decoder(t)
  content = MSE(enc(out), t)                                   (stride-8 features)
  style   = sum over taps (conv0, ec1_expand, ec3_expand, ec6_expand) of
            MSE(mean(out_tap), mean_target) + MSE(std(out_tap), std_target)
  pixel   = MSE(out, content image) on the identity samples
  tv      = mean |dx|^2 + mean |dy|^2 of out (discourages grid and ringing)
  loss    = content + w_style * style + w_pixel * pixel + w_tv * tv
The encoder is frozen; its features of all content crops and the tap statistics of
all crops are computed once and cached in the run folder.

Usage (background, resumable):
  setsid nohup python Training/train.py --run NAME --iters 6000 > /dev/null 2>&1 &
  python Training/train.py --run NAME --iters 9000 --resume     # continue later
Logs go to RUNS/NAME/log.txt, checkpoints to RUNS/NAME/checkpoint.pt
(plus RUNS/NAME/checkpoint_<iter>.pt every --snapshot iterations)."""
import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).parent))
import data
import teacher_files
from mobilenet_encoder import TAPS, MobileNetEncoder
from model import DECODER_WIDTHS, Decoder, mean_std


def parse_args(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--run", default="adain-mnv2-s8")
    p.add_argument("--iters", type=int, default=6000)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--identity", type=int, default=2, help="samples per batch that keep their own statistics")
    p.add_argument("--crop", type=int, default=160)
    p.add_argument("--n-content", type=int, default=1600)
    p.add_argument("--n-style", type=int, default=1600)
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--lr-decay", type=float, default=5e-5, help="lr = lr0 / (1 + decay * iter)")
    p.add_argument("--w-style", type=float, default=10.0)
    p.add_argument("--w-pixel", type=float, default=5.0)
    p.add_argument("--w-tv", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--checkpoint-every", type=int, default=100)
    p.add_argument("--snapshot", type=int, default=1000)
    p.add_argument("--runs-dir", default=str(teacher_files.RUNS_DIR))
    p.add_argument("--cache", default=None, help="data cache file (default RUNS/cache_seed<seed>_<crop>.pt)")
    p.add_argument("--online", action="store_true",
                   help="fresh random crops every iteration on the device (GPU runs) instead of the precomputed cache")
    p.add_argument("--time-limit", type=float, default=0, help="stop (and checkpoint) after this many seconds")
    p.add_argument("--copy-to", default=None, help="also copy checkpoint.pt and log.txt here at each checkpoint")
    return p.parse_args(argv)


def log(run_dir, msg):
    line = time.strftime("%Y-%m-%d %H:%M:%S ") + msg
    print(line, flush=True)
    with open(run_dir / "log.txt", "a") as f:
        f.write(line + "\n")


def to_tensor(u8):
    return torch.from_numpy(np.ascontiguousarray(u8)).permute(0, 3, 1, 2).float() / 255.0


@torch.no_grad()
def build_cache(args, encoder, path, run_dir):
    rng = np.random.default_rng(args.seed)
    cpaths, spaths = data.train_lists()
    log(run_dir, f"building crops: {len(cpaths)} content images, {len(spaths)} style images")
    t0 = time.time()
    content = data.random_crops(cpaths, args.n_content, args.crop, 176, 480, rng)
    style = data.random_crops(spaths, args.n_style, args.crop, 176, 512, rng, permute_frac=0.3)
    feats, c_stats, s_stats = [], {k: [] for k in TAPS}, {k: [] for k in TAPS}
    for arr, stats, keep in [(content, c_stats, True), (style, s_stats, False)]:
        for i in range(0, len(arr), 32):
            taps = encoder(to_tensor(arr[i:i + 32]).to(args.device), taps=True)
            for k in TAPS:
                m, s = mean_std(taps[k])
                stats[k].append(torch.cat([m, s], 1).flatten(1).cpu())
            if keep:
                feats.append(taps["ec6_expand"].half().cpu())
    cache = {
        "content": torch.from_numpy(content), "style": torch.from_numpy(style),
        "content_feat": torch.cat(feats),
        "content_stats": {k: torch.cat(v) for k, v in c_stats.items()},
        "style_stats": {k: torch.cat(v) for k, v in s_stats.items()},
        "content_files": [p.name for p in cpaths], "style_files": [p.name for p in spaths],
        "seed": args.seed, "crop": args.crop,
    }
    torch.save(cache, path)
    log(run_dir, f"cache written to {path} in {time.time() - t0:.0f} s")
    return cache


def split_stats(st, k):
    c = TAP_CH[k]
    return st[:, :c, None, None], st[:, c:, None, None]


TAP_CH = {"conv0": 32, "ec1_expand": 96, "ec3_expand": 144, "ec6_expand": 192}


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    run_dir = Path(args.runs_dir) / args.run
    run_dir.mkdir(parents=True, exist_ok=True)
    dev = torch.device(args.device)
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True
    encoder = MobileNetEncoder(teacher_files.predict_onnx()).to(dev).eval()
    if args.online:
        import online_data
        cpaths, spaths = data.train_lists()
        crop_gen = torch.Generator().manual_seed(args.seed + 2)
        online_c = online_data.OnlineCrops(cpaths, args.crop, 176, 480, dev, crop_gen)
        online_s = online_data.OnlineCrops(spaths, args.crop, 176, 512, dev, crop_gen, permute_frac=0.3)
        cache = {"content_files": [p.name for p in cpaths], "style_files": [p.name for p in spaths]}
        nc, ns = len(cpaths), len(spaths)
        log(run_dir, f"online crops: {nc} content images, {ns} style images on {dev}")
    else:
        cache_path = Path(args.cache) if args.cache else Path(args.runs_dir) / f"cache_seed{args.seed}_{args.crop}_{args.n_content}_{args.n_style}.pt"
        cache = torch.load(cache_path) if cache_path.exists() else build_cache(args, encoder, cache_path, run_dir)
        content_u8 = cache["content"]
        content_feat = cache["content_feat"]
        c_stats = cache["content_stats"]
        s_stats = cache["style_stats"]
        nc, ns = len(content_u8), len(s_stats["conv0"])

    torch.manual_seed(args.seed)
    decoder = Decoder().to(dev)
    opt = torch.optim.Adam(decoder.parameters(), lr=args.lr)
    gen = torch.Generator().manual_seed(args.seed + 1)
    start = 0
    ckpt_path = run_dir / "checkpoint.pt"
    if args.resume and ckpt_path.exists():
        ck = torch.load(ckpt_path, map_location=dev)
        decoder.load_state_dict(ck["decoder"])
        opt.load_state_dict(ck["opt"])
        gen.set_state(ck["gen"])
        start = ck["iter"]
        log(run_dir, f"resumed from {ckpt_path} at iteration {start}")
    else:
        log(run_dir, "start: " + json.dumps(vars(args)))
    config = dict(vars(args), decoder_widths=list(DECODER_WIDTHS), n_content=nc, n_style=ns,
                  content_files=cache["content_files"], style_files=cache["style_files"])

    def save(it, path):
        torch.save({"decoder": decoder.state_dict(), "opt": opt.state_dict(), "gen": gen.get_state(),
                    "iter": it, "config": config, "seconds": seconds}, path)

    seconds = ck.get("seconds", 0.0) if start else 0.0
    B, I = args.batch, args.identity
    t_last, acc, n_acc = time.time(), {}, 0
    wall0 = time.time()
    for it in range(start, args.iters):
        t0 = time.time()
        lr = args.lr / (1 + args.lr_decay * it)
        for g in opt.param_groups:
            g["lr"] = lr
        if args.online:
            with torch.no_grad():
                c_img = online_c.sample(B)
                c_taps = encoder(c_img, taps=True)
                s_taps = encoder(online_s.sample(B - I), taps=True)
            fc = c_taps["ec6_expand"]
            tgt_stats = {}
            for k in TAPS:
                sm, ss = mean_std(s_taps[k])
                cm, cs = mean_std(c_taps[k][B - I:])
                tgt_stats[k] = (torch.cat([sm, cm]), torch.cat([ss, cs]))
        else:
            ci = torch.randint(0, nc, (B,), generator=gen)
            si = torch.randint(0, ns, (B - I,), generator=gen)
            fc = content_feat[ci].float().to(dev)
            tgt_stats = {}
            for k in TAPS:
                sm, ss = split_stats(s_stats[k][si].to(dev), k)
                cm, cs = split_stats(c_stats[k][ci[B - I:]].to(dev), k)
                tgt_stats[k] = (torch.cat([sm, cm]), torch.cat([ss, cs]))
        c_mean, c_std = mean_std(fc)
        sm, ss = tgt_stats["ec6_expand"]
        t = (fc - c_mean) / c_std * ss + sm  # identity rows: ss, sm are the content's own stats
        t = torch.cat([t[:B - I], fc[B - I:]])
        out = decoder(t)
        taps = encoder(out, taps=True)
        l_content = F.mse_loss(taps["ec6_expand"], t)
        l_style = 0.0
        for k in TAPS:
            m, s = mean_std(taps[k])
            l_style = l_style + F.mse_loss(m, tgt_stats[k][0]) + F.mse_loss(s, tgt_stats[k][1])
        loss = l_content + args.w_style * l_style
        l_pixel = torch.zeros(())
        if I > 0:
            img = c_img[B - I:] if args.online else to_tensor(content_u8[ci[B - I:]].numpy()).to(dev)
            l_pixel = F.mse_loss(out[B - I:], img)
            loss = loss + args.w_pixel * l_pixel
        l_tv = (out[..., 1:, :] - out[..., :-1, :]).pow(2).mean() + (out[..., :, 1:] - out[..., :, :-1]).pow(2).mean()
        if args.w_tv > 0:
            loss = loss + args.w_tv * l_tv
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        seconds += time.time() - t0
        for name, v in [("loss", loss), ("content", l_content), ("style", l_style),
                        ("pixel", l_pixel), ("tv", l_tv)]:
            acc[name] = acc.get(name, 0.0) + float(v.detach()) if torch.is_tensor(v) else acc.get(name, 0.0) + v
        n_done, n_acc = it + 1, n_acc + 1
        if n_done % 20 == 0 or n_done == args.iters:
            n = n_acc
            msg = " ".join(f"{k}={v / n:.4f}" for k, v in acc.items())
            log(run_dir, f"iter {n_done} {msg} lr={lr:.2e} s/it={(time.time() - t_last) / n:.2f} train_s={seconds:.0f}")
            acc, t_last, n_acc = {}, time.time(), 0
        out_of_time = args.time_limit and time.time() - wall0 > args.time_limit
        if n_done % args.checkpoint_every == 0 or n_done == args.iters or out_of_time:
            save(n_done, run_dir / "checkpoint.tmp")
            os.replace(run_dir / "checkpoint.tmp", ckpt_path)
            if args.copy_to:
                import shutil
                shutil.copy(ckpt_path, Path(args.copy_to) / "checkpoint.pt")
                shutil.copy(run_dir / "log.txt", Path(args.copy_to) / "log.txt")
        if out_of_time:
            log(run_dir, f"time limit reached at iteration {n_done}")
            break
        if n_done % args.snapshot == 0:
            save(n_done, run_dir / f"checkpoint_{n_done}.pt")
    log(run_dir, f"stopped at iteration {n_done}, {seconds:.0f} s of training")


if __name__ == "__main__":
    main()
