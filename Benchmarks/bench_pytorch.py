#!/usr/bin/env python3
"""PyTorch side of the engine benchmark (see BENCHMARKS.md and run.sh).

Builds the pytorch-AdaIN network exactly as its net.py defines it (nn.Sequential
`vgg` cut after relu4_1, index 30, and `decoder`), loads the weights that
`stylize-bench export-weights --format pytorch` wrote (same seeded values the Swift benchmark uses),
and times, in eval mode without autograd and with torch.set_num_threads(N):

  network: content encoder + style encoder + AdaIN + decoder at each size, on the
           same deterministic images as the Swift benchmark;
  layers:  each 3x3 conv (ReflectionPad2d(1) + Conv2d + ReLU) alone at the
           resolution it runs at for a --size image.

With --check FILE (raw float32 NHWC output of the Swift benchmark for the first
size) it prints how far the two outputs are apart.
Output lines start with RESULT, in the same format as stylize-bench.
"""
import argparse
import math
import resource
import time

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import load_file


def make_vgg():
    # pytorch-AdaIN net.py `vgg`, up to and including relu4_1 (index 30).
    return nn.Sequential(
        nn.Conv2d(3, 3, (1, 1)),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(3, 64, (3, 3)), nn.ReLU(),  # relu1-1
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(64, 64, (3, 3)), nn.ReLU(),  # relu1-2
        nn.MaxPool2d((2, 2), (2, 2), (0, 0), ceil_mode=True),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(64, 128, (3, 3)), nn.ReLU(),  # relu2-1
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(128, 128, (3, 3)), nn.ReLU(),  # relu2-2
        nn.MaxPool2d((2, 2), (2, 2), (0, 0), ceil_mode=True),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(128, 256, (3, 3)), nn.ReLU(),  # relu3-1
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(256, 256, (3, 3)), nn.ReLU(),  # relu3-2
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(256, 256, (3, 3)), nn.ReLU(),  # relu3-3
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(256, 256, (3, 3)), nn.ReLU(),  # relu3-4
        nn.MaxPool2d((2, 2), (2, 2), (0, 0), ceil_mode=True),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(256, 512, (3, 3)), nn.ReLU(),  # relu4-1
    )


def make_decoder():
    # pytorch-AdaIN net.py `decoder`.
    return nn.Sequential(
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(512, 256, (3, 3)), nn.ReLU(),
        nn.Upsample(scale_factor=2, mode='nearest'),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(256, 256, (3, 3)), nn.ReLU(),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(256, 256, (3, 3)), nn.ReLU(),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(256, 256, (3, 3)), nn.ReLU(),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(256, 128, (3, 3)), nn.ReLU(),
        nn.Upsample(scale_factor=2, mode='nearest'),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(128, 128, (3, 3)), nn.ReLU(),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(128, 64, (3, 3)), nn.ReLU(),
        nn.Upsample(scale_factor=2, mode='nearest'),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(64, 64, (3, 3)), nn.ReLU(),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(64, 3, (3, 3)),
    )


def calc_mean_std(feat, eps=1e-5):
    # pytorch-AdaIN function.py: unbiased variance + eps.
    n, c = feat.shape[:2]
    var = feat.view(n, c, -1).var(dim=2) + eps
    return feat.view(n, c, -1).mean(dim=2).view(n, c, 1, 1), var.sqrt().view(n, c, 1, 1)


def adain(content, style):
    size = content.size()
    sm, ss = calc_mean_std(style)
    cm, cs = calc_mean_std(content)
    return (content - cm.expand(size)) / cs.expand(size) * ss.expand(size) + sm.expand(size)


def bench_image(size, style):
    """Same formula as benchImage() in Sources/stylize-bench/BenchInputs.swift (NCHW here)."""
    y, x = np.meshgrid(np.arange(size, dtype=np.float64), np.arange(size, dtype=np.float64), indexing='ij')
    chans = []
    for c in range(3):
        if style:
            chans.append(0.5 + 0.5 * np.cos(0.03 * x - 0.05 * y + 2 * c))
        else:
            chans.append(0.5 + 0.5 * np.sin(0.05 * x + 0.07 * y + c))
    return torch.from_numpy(np.stack(chans)[None].astype(np.float32))


CLOCK = time.perf_counter


def best_time(fn, repeats, warmup=True):
    if warmup:
        fn()
    best = math.inf
    for _ in range(max(1, repeats)):
        t0 = CLOCK()
        fn()
        best = min(best, CLOCK() - t0)
    return best


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('mode', choices=['network', 'layers'])
    ap.add_argument('--weights', required=True, help='safetensors written by stylize-bench export-weights')
    ap.add_argument('--threads', type=int, required=True)
    ap.add_argument('--sizes', default='256,512,1024')
    ap.add_argument('--size', type=int, default=512, help='layers mode: image size')
    ap.add_argument('--repeats', type=int, default=2)
    ap.add_argument('--no-warmup', action='store_true')
    ap.add_argument('--cpu-time', action='store_true',
                    help="time with the calling thread's CPU clock (needs --threads 1; with one thread "
                         "PyTorch runs every op on the calling thread), for a loaded machine")
    ap.add_argument('--check', help='raw float32 NHWC output of the Swift benchmark for the first size')
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    if args.cpu_time:
        if args.threads != 1:
            ap.error('--cpu-time needs --threads 1')
        global CLOCK
        CLOCK = time.thread_time
    vgg, decoder = make_vgg(), make_decoder()
    state = load_file(args.weights)
    vgg.load_state_dict({k[len('vgg.'):]: v for k, v in state.items() if k.startswith('vgg.')})
    decoder.load_state_dict({k[len('decoder.'):]: v for k, v in state.items() if k.startswith('decoder.')})
    vgg.eval()
    decoder.eval()
    print(f'torch {torch.__version__}; threads {torch.get_num_threads()}')

    with torch.no_grad():
        if args.mode == 'network':
            for i, size in enumerate(int(s) for s in args.sizes.split(',')):
                content, style = bench_image(size, False), bench_image(size, True)
                out = {}

                def run():
                    out['y'] = decoder(adain(vgg(content), vgg(style)))
                t = best_time(run, 1 if args.no_warmup else args.repeats, warmup=not args.no_warmup)
                y = out['y']
                print(f'RESULT network size={size} threads={args.threads} seconds={t:.3f} '
                      f'out_mean={y.mean().item()} rss_mib={peak_rss_mib():.1f}')
                if i == 0 and args.check:
                    swift = np.fromfile(args.check, dtype=np.float32).reshape(y.shape[2], y.shape[3], 3)
                    ref = y[0].permute(1, 2, 0).numpy()
                    diff = np.abs(swift - ref)
                    scale = np.abs(ref).max()
                    print(f'RESULT check size={size} max_abs_diff={diff.max():.3e} mean_abs_diff={diff.mean():.3e} '
                          f'max_abs_output={scale:.3e}')
        else:
            size = args.size
            enc_res = {2: size, 5: size, 9: size // 2, 12: size // 2, 16: size // 4, 19: size // 4,
                       22: size // 4, 25: size // 4, 29: size // 8}
            dec_res = {1: size // 8, 5: size // 4, 8: size // 4, 11: size // 4, 14: size // 4,
                       18: size // 2, 21: size // 2, 25: size, 28: size}
            gen = torch.Generator().manual_seed(7)
            for name, net, res in (('vgg', vgg, enc_res), ('decoder', decoder, dec_res)):
                for idx, r in res.items():
                    conv = net[idx]
                    layer = nn.Sequential(nn.ReflectionPad2d(1), conv, nn.ReLU())
                    x = torch.rand(1, conv.in_channels, r, r, generator=gen) * 2 - 1
                    t = best_time(lambda: layer(x), args.repeats)
                    flops = 2.0 * 9 * conv.in_channels * conv.out_channels * r * r
                    print(f'RESULT layer {name}.{idx} res={r} cin={conv.in_channels} cout={conv.out_channels} '
                          f'ms={t * 1000:.2f} gflops={flops / t / 1e9:.1f}')


if __name__ == '__main__':
    main()
