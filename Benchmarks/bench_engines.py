#!/usr/bin/env python3
"""Other engines' side of the full-transfer comparison (see compare.sh and BENCHMARKS.md).

The network is pytorch-AdaIN's (bench_pytorch.py builds it exactly as its net.py does:
VGG encoder to relu4_1, AdaIN with unbiased variance + 1e-5, decoder), with the seeded
weights `stylize-bench export-weights --format pytorch` writes. Modes:

  prepare   writes, from those weights, what every engine loads: vgg_normalised.pth and
            decoder.pth (state dicts of the two nn.Sequentials, for `stylize weights
            import`), content.png / style.png (8-bit RGB, the benchmark's deterministic
            images) and adain.onnx (the whole transfer, content and style images in,
            stylized image out, exported from the same PyTorch module)
  torch     the transfer in PyTorch (eval, no_grad, torch.set_num_threads)
  ort       the ONNX file in onnxruntime (intra-op threads = --threads, inter-op 1)
  openvino  the ONNX file in OpenVINO (CPU device, INFERENCE_NUM_THREADS = --threads,
            float32 inference precision, latency hint)
  compare   largest difference, in 8-bit levels, between PNG outputs (--png A B ...) and
            an engine's output (--check FILE.npy, rounded to 8 bits as stylize does)

Each timing mode loads the same 8-bit images, times the transfer in-process (best of
--repeats after one warm-up run, with that run's process CPU time), saves its output
(float32 NCHW .npy) and prints `RESULT <engine> seconds=... cpu_seconds=... rss_mib=...`; `--check FILE.npy` adds the largest difference
from another engine's output.
"""
import argparse
import math
import resource
import struct
import time
import zlib
from pathlib import Path

import numpy as np

from bench_pytorch import adain, bench_image, make_decoder, make_vgg


def write_png(path, rgb):
    """8-bit RGB PNG (no filtering), from an H x W x 3 uint8 array."""
    h, w, _ = rgb.shape
    raw = b''.join(b'\x00' + rgb[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)
    png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
    png += chunk(b'IDAT', zlib.compress(raw, 6)) + chunk(b'IEND', b'')
    Path(path).write_bytes(png)


def read_png(path):
    """PNG -> H x W x 3 uint8 (Pillow)."""
    from PIL import Image
    return np.asarray(Image.open(path).convert('RGB'))


def image8(size, style):
    """The benchmark image (bench_pytorch.bench_image) rounded to 8 bits: what the PNG holds."""
    x = bench_image(size, style)[0].numpy()
    return np.clip(np.round(x * 255), 0, 255).astype(np.uint8)      # 3 x H x W


def as_input(img8):
    return (img8.astype(np.float32) / 255)[None]                      # 1 x 3 x H x W


BEST_CPU = [math.nan]


def best_time(fn, repeats):
    """Best wall time of `repeats` runs after a warm-up; BEST_CPU[0] gets that run's
    process CPU time (all threads), comparable with a whole process's user + sys."""
    fn()
    best = math.inf
    for _ in range(max(1, repeats)):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        t, c = time.perf_counter() - t0, time.process_time() - c0
        if t < best:
            best, BEST_CPU[0] = t, c
    return best


def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load_torch(weights):
    import torch
    from safetensors.torch import load_file
    vgg, decoder = make_vgg(), make_decoder()
    state = load_file(weights)
    vgg.load_state_dict({k[len('vgg.'):]: v for k, v in state.items() if k.startswith('vgg.')})
    decoder.load_state_dict({k[len('decoder.'):]: v for k, v in state.items() if k.startswith('decoder.')})
    vgg.eval()
    decoder.eval()

    class Transfer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.vgg, self.decoder = vgg, decoder

        def forward(self, content, style):
            return self.decoder(adain(self.vgg(content), self.vgg(style)))
    return Transfer().eval()


def report(engine, args, seconds, out, extra=''):
    np.save(args.output, out)
    line = (f'RESULT {engine} seconds={seconds:.3f} cpu_seconds={BEST_CPU[0]:.2f} threads={args.threads} '
            f'rss_mib={rss_mib():.0f}{extra}')
    if args.check:
        ref = np.load(args.check)
        line += f' max_abs_diff={np.abs(out - ref).max():.3e}'
    print(line, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('mode', choices=['prepare', 'torch', 'ort', 'openvino', 'compare'])
    ap.add_argument('--png', nargs='*', default=[], help='compare: PNG outputs of stylize')
    ap.add_argument('--dir', required=True, help='working folder (prepare writes it, the others read it)')
    ap.add_argument('--weights', help="prepare: safetensors from stylize-bench export-weights --format pytorch")
    ap.add_argument('--content', type=int, default=1024, help='content image size (square)')
    ap.add_argument('--style', type=int, default=512, help='style image size (square)')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--output', help='where to save the output (.npy); default DIR/MODE.npy')
    ap.add_argument('--check', help='an output .npy of another engine to compare with')
    args = ap.parse_args()
    d = Path(args.dir)
    args.output = args.output or str(d / f'{args.mode}.npy')
    content, style = image8(args.content, False), image8(args.style, True)

    if args.mode == 'compare':
        ref = np.clip(np.round(np.load(args.check)[0].transpose(1, 2, 0) * 255), 0, 255).astype(np.int32)
        for path in args.png:
            img = read_png(path).astype(np.int32)
            diff = np.abs(img - ref)
            print(f'RESULT compare {Path(path).name} max_levels={diff.max()} '
                  f'mean_levels={diff.mean():.4f} share_differing={np.mean(diff > 0):.5f}')
        return
    if args.mode == 'prepare':
        import torch
        d.mkdir(parents=True, exist_ok=True)
        model = load_torch(args.weights)
        torch.save(model.vgg.state_dict(), d / 'vgg_normalised.pth')
        torch.save(model.decoder.state_dict(), d / 'decoder.pth')
        write_png(d / 'content.png', content.transpose(1, 2, 0))
        write_png(d / 'style.png', style.transpose(1, 2, 0))
        with torch.no_grad():
            torch.onnx.export(model, (torch.from_numpy(as_input(content)), torch.from_numpy(as_input(style))),
                              str(d / 'adain.onnx'), input_names=['content', 'style'], output_names=['output'],
                              opset_version=17, dynamo=False)
        print(f'wrote {d}/vgg_normalised.pth, decoder.pth, content.png, style.png, adain.onnx')
    elif args.mode == 'torch':
        import torch
        torch.set_num_threads(args.threads)
        model = load_torch(str(d / 'weights.safetensors'))
        c, s = torch.from_numpy(as_input(content)), torch.from_numpy(as_input(style))
        out = {}
        with torch.no_grad():
            t = best_time(lambda: out.update(y=model(c, s)), args.repeats)
        report('torch', args, t, out['y'].numpy(), f' version={torch.__version__}')
    elif args.mode == 'ort':
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = args.threads
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(str(d / 'adain.onnx'), so, providers=['CPUExecutionProvider'])
        feeds = {'content': as_input(content), 'style': as_input(style)}
        out = {}
        t = best_time(lambda: out.update(y=sess.run(None, feeds)[0]), args.repeats)
        report('onnxruntime', args, t, out['y'], f' version={ort.__version__}')
    else:
        import openvino as ov
        core = ov.Core()
        compiled = core.compile_model(str(d / 'adain.onnx'), 'CPU', {
            'INFERENCE_NUM_THREADS': args.threads, 'INFERENCE_PRECISION_HINT': 'f32',
            'PERFORMANCE_HINT': 'LATENCY', 'NUM_STREAMS': 1})
        request = compiled.create_infer_request()
        feeds = {'content': as_input(content), 'style': as_input(style)}
        out = {}

        def run():
            request.infer(feeds)
            out['y'] = request.get_output_tensor(0).data.copy()
        t = best_time(run, args.repeats)
        report('openvino', args, t, out['y'], f' version={ov.__version__}')


if __name__ == '__main__':
    main()
