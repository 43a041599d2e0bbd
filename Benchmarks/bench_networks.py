#!/usr/bin/env python3
"""The networks people run: stylize against onnxruntime and OpenVINO on the same graphs.

Run through Benchmarks/networks.sh (which builds the release binaries first):

  Benchmarks/networks.sh [--threads 2 | --cpu-time] [--networks default,magenta,vgg]
                         [--sizes 320x240,384x384,512x512,640x480,1024x1024] [--repeats 5]
                         [--min-seconds 2] [--whole-repeats 3] [--rounds 2]
                         [--layers default:512x512,magenta:384x384]

Per network and content size (style: a 512x512 painting for the AdaIN networks; for Magenta
the style vector of a 256x256 one, computed once by stylize's predictor and given to every
engine):

  stylize in-process   `stylize-bench network` (the shipped network as StyleModels loads it:
                       both encoders, the swap and the decoder, or the Magenta transformer),
                       best of --repeats runs after a warm-up, more until the timed runs add
                       up to --min-seconds (the peers are timed the same way)
  stylize command      the whole `stylize CONTENT STYLE -o OUT.png` process (start-up, PNG
                       decode and encode included), best wall time of --whole-repeats (more
                       until --min-seconds, at most 20), peak RSS from GNU time -v; for
                       Magenta also `stylize batch` over 8 copies of the content (per
                       image), and `stylize video` per frame where ffmpeg is installed
  onnxruntime f32      the exported graph (network_graphs.py), in-process, best of --repeats
  OpenVINO f32         the same, INFERENCE_PRECISION_HINT f32
  OpenVINO fast        bf16 (INFERENCE_PRECISION_HINT bf16, OpenVINO's default on a CPU with
                       AVX512_BF16) on the float graphs; for Magenta also the int8 QDQ graph
  onnxruntime int8     Magenta's int8 QDQ graph
  stylize bf16         in-process and whole command again with `--precision bf16`, where the
                       CPU has AVX512_BF16 (as OpenVINO reports it)

--cpu-time: one thread everywhere, and each run is judged by its CPU time rather than the
wall clock (on a machine shared with other work the wall clock mostly measures the share of
the cores each process got). All engines of one network and size run one after the other,
and the whole round --rounds times; each engine's best counts. Every output is compared with
onnxruntime f32's in 8-bit levels (round(clip(x, 0, 1) * 255)), mean and max |difference|.
The report (Markdown) goes to standard output and to Benchmarks/results/<date>-networks.md
(-cpu-time.md with --cpu-time). Needs the packages of Benchmarks/requirements.txt;
Python is only the harness here, never in stylize's path.
"""
import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import network_graphs as graphs
import peer_engines as peers

REPO = Path(__file__).resolve().parent.parent
SIZES = "320x240,384x384,512x512,640x480,1024x1024"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def parse_size(text):
    w, h = (int(v) for v in text.lower().split("x"))
    return w, h


def machine():
    info = Path("/proc/cpuinfo").read_text()
    field = lambda k: (re.search(rf"^{k}\s*:\s*(.*)$", info, re.M) or [None, "?"])[1]
    flags = set(field("flags").split())
    wanted = [f for f in ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16") if f in flags]
    return (f"{field('model name')} (family {field('cpu family')} model {field('model')}), "
            f"{os.cpu_count()} CPUs, {' '.join(wanted)}")


def load():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# ---------------------------------------------------------------- images

def prepare_image(source, width, height, path):
    """The source photo, centre-cropped to the aspect ratio and resized (Lanczos) to width x height, as PNG."""
    from PIL import Image
    img = Image.open(source).convert("RGB")
    scale = max(width / img.width, height / img.height)
    cw, ch = round(width / scale), round(height / scale)
    left, top = (img.width - cw) // 2, (img.height - ch) // 2
    img.crop((left, top, left + cw, top + ch)).resize((width, height), Image.LANCZOS).save(path)
    return np.asarray(Image.open(path).convert("RGB"))


def as_float(u8):
    """8-bit RGB -> float32 in [0, 1] exactly as stylize converts it (x * Float(1/255))."""
    return u8.astype(np.float32) * np.float32(1 / 255)


def levels(x):
    return np.clip(np.round(np.asarray(x, np.float64) * 255), 0, 255)


def read_png(path):
    from PIL import Image
    return np.asarray(Image.open(path).convert("RGB")).astype(np.float64)


def difference(a_levels, ref_levels):
    d = np.abs(a_levels - ref_levels)
    return f"{d.mean():.4f} / {int(d.max())}"


# ---------------------------------------------------------------- stylize

class Stylize:
    def __init__(self, bin_dir, threads, work):
        self.bench = str(Path(bin_dir) / "stylize-bench")
        self.cli = str(Path(bin_dir) / "stylize")
        self.threads = threads
        self.work = Path(work)

    def in_process(self, network, content, repeats, output, style=None, vector=None, weights=None, precision="f32"):
        cmd = [self.bench, "network", "--network", network, "--content", str(content), "--threads", str(self.threads),
               "--repeats", str(repeats), "--min-seconds", str(peers.MIN_SECONDS[0]), "--write-output", str(output),
               "--precision", precision]
        cmd += ["--cpu-time"] if peers.CPU_CLOCK[0] else []
        cmd += ["--style", str(style)] if style else []
        cmd += ["--style-vector", str(vector)] if vector else []
        cmd += ["--weights", str(weights)] if weights else []
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO).stdout
        line = next(l for l in out.splitlines() if l.startswith("RESULT network"))
        return float(re.search(r" seconds=([0-9.]+)", line)[1]), float(re.search(r" cpu_seconds=([0-9.]+)", line)[1])

    def whole(self, args, repeats, name, before=None):
        """Best wall time of `repeats` runs of `stylize ARGS` (more, up to 20, until they add up to
        --min-seconds), that run's CPU time, and the largest peak RSS in MiB; `before()` runs
        before each (untimed)."""
        best, cpu, rss, spent, runs = float("inf"), 0.0, 0, 0.0, 0
        timing = self.work / f"{name}.time"
        while runs < repeats or (spent < peers.MIN_SECONDS[0] and runs < 20):
            runs += 1
            if before:
                before()
            t0 = time.perf_counter()
            r = subprocess.run(["/usr/bin/time", "-v", "-o", str(timing), self.cli, *args, "--threads", str(self.threads)],
                               capture_output=True, text=True, cwd=REPO)
            t = time.perf_counter() - t0
            if r.returncode != 0:
                sys.exit(f"stylize {' '.join(args)} failed:\n{r.stderr}")
            text = timing.read_text()
            rss = max(rss, int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)[1]) // 1024)
            c = sum(float(v) for v in re.findall(r"(?:User|System) time \(seconds\): ([0-9.]+)", text))
            if (c if peers.CPU_CLOCK[0] else t) < best:
                best, cpu = (c if peers.CPU_CLOCK[0] else t), c
            spent += t
        return best, cpu, rss


# ---------------------------------------------------------------- one network at one size

class Row:
    def __init__(self, network, size, style):
        self.network, self.size, self.style = network, size, style
        self.times = {}      # column -> (seconds, cpu seconds)
        self.diffs = {}      # column -> "mean / max"
        self.rss = {}        # column -> MiB
        self.notes = []
        self.load = load()   # 1-, 5- and 15-minute load averages when the row started

    def put(self, column, seconds, cpu, rss=None):
        """Keeps the best time of a column over the rounds (and the largest RSS)."""
        if column not in self.times or seconds < self.times[column][0]:
            self.times[column] = (seconds, cpu)
        if rss is not None:
            self.rss[column] = max(rss, self.rss.get(column, 0))


def run_peers(row, graph_f32, graph_int8, feeds, out_layout, threads, repeats, bf16):
    """onnxruntime / OpenVINO columns of `row`; returns the reference levels (onnxruntime f32)."""
    def hwc(y):
        y = np.asarray(y)[0]
        return y.transpose(1, 2, 0) if out_layout == "nchw" else y
    t, c, y = peers.run_onnxruntime(graph_f32, feeds, threads, repeats)
    ref = levels(hwc(y))
    row.put("onnxruntime f32", t, c)
    row.diffs["onnxruntime f32"] = "reference"
    t, c, y, used = peers.run_openvino(graph_f32, feeds, threads, repeats, "f32")
    row.put("OpenVINO f32", t, c)
    row.diffs["OpenVINO f32"] = difference(levels(hwc(y)), ref)
    if bf16:
        t, c, y, used = peers.run_openvino(graph_f32, feeds, threads, repeats, "bf16")
        row.put("OpenVINO bf16", t, c)
        row.diffs["OpenVINO bf16"] = difference(levels(hwc(y)), ref)
    if graph_int8:
        t, c, y, used = peers.run_openvino(graph_int8, feeds, threads, repeats, None)
        row.put("OpenVINO int8", t, c)
        row.diffs["OpenVINO int8"] = difference(levels(hwc(y)), ref)
        note = f"OpenVINO int8: the QDQ graph, precision hint left at its default ({used})"
        if note not in row.notes:
            row.notes.append(note)
        t, c, y = peers.run_onnxruntime(graph_int8, feeds, threads, repeats)
        row.put("onnxruntime int8", t, c)
        row.diffs["onnxruntime int8"] = difference(levels(hwc(y)), ref)
    return ref


def bench_adain(net, size, a, stylize, work, style_png, style_u8, weights, torch_weights, bf16):
    w, h = size
    row = Row(net, size, f"{style_u8.shape[1]}x{style_u8.shape[0]}")
    content_png = work / f"content_{w}x{h}.png"
    content_u8 = prepare_image(a.content_image, w, h, content_png)
    c = as_float(content_u8).transpose(2, 0, 1)[None].copy()
    s = as_float(style_u8).transpose(2, 0, 1)[None].copy()
    graph = work / f"{net}_{w}x{h}.onnx"
    module = graphs.default_module(weights) if net == "default" else graphs.vgg_module(torch_weights)
    torch_out = graphs.export_adain(module, c, s, graph)
    del module
    log(f"  {net} {w}x{h}: onnx exported")
    raw = work / f"stylize_{net}_{w}x{h}.f32"
    out_png = work / f"stylize_{net}_{w}x{h}.png"
    raw16, out16 = work / f"stylize_{net}_{w}x{h}_bf16.f32", work / f"stylize_{net}_{w}x{h}_bf16.png"
    bench_weights = weights if net == "default" else work / "vgg_native.safetensors"
    for _ in range(a.rounds):
        ref = run_peers(row, graph, None, lambda names: dict(zip(names, (c, s))), "nchw", a.threads, a.repeats, bf16)
        row.put("stylize in-process", *stylize.in_process(net, content_png, a.repeats, raw, style=style_png,
                                                          weights=bench_weights))
        command = [str(content_png), str(style_png), "-o", str(out_png), "--weights", str(bench_weights),
                   "--content-size", "0", "--style-size", "0", "-q"]
        row.put("stylize command", *stylize.whole(command, a.whole_repeats, f"{net}_{w}x{h}"))
        if bf16:
            row.put("stylize bf16 in-process", *stylize.in_process(net, content_png, a.repeats, raw16, style=style_png,
                                                                   weights=bench_weights, precision="bf16"))
            row.put("stylize bf16 command", *stylize.whole(command[:2] + ["-o", str(out16)] + command[4:] + ["--precision", "bf16"],
                                                           a.whole_repeats, f"{net}_{w}x{h}_bf16"))
    row.notes.append(f"PyTorch (the exported module) vs onnxruntime f32: {difference(levels(torch_out[0].transpose(1, 2, 0)), ref)}")
    row.diffs["stylize in-process"] = difference(levels(np.fromfile(raw, np.float32).reshape(h, w, 3)), ref)
    row.diffs["stylize command"] = difference(read_png(out_png), ref)
    if bf16:
        row.diffs["stylize bf16 in-process"] = difference(levels(np.fromfile(raw16, np.float32).reshape(h, w, 3)), ref)
        row.diffs["stylize bf16 command"] = difference(read_png(out16), ref)
    return row


def bench_magenta(size, a, stylize, work, style256, vector_file, vector, magenta_graphs, bf16):
    w, h = size
    row = Row("magenta", size, "vector")
    content_png = work / f"content_{w}x{h}.png"
    content_u8 = prepare_image(a.content_image, w, h, content_png)
    c = as_float(content_u8)[None].copy()
    raw = work / f"stylize_magenta_{w}x{h}.f32"
    weights = REPO / "Weights/magenta-arbitrary.safetensors"
    common = ["--model", "magenta", "--weights", str(weights), "--content-size", "0", "-q"]
    out_png = work / f"stylize_magenta_{w}x{h}.png"
    raw16, out16 = work / f"stylize_magenta_{w}x{h}_bf16.f32", work / f"stylize_magenta_{w}x{h}_bf16.png"
    # Per frame: `stylize batch` over copies of the content (one style vector for all), and
    # `stylize video` on a clip of them where ffmpeg is installed.
    frames = 8
    folder, outdir = work / f"batch_{w}x{h}", work / f"batch_{w}x{h}_out"
    folder.mkdir(exist_ok=True)
    for i in range(frames):
        shutil.copy(content_png, folder / f"frame{i}.png")
    clip, video_out = work / f"clip_{w}x{h}.mp4", work / f"video_{w}x{h}.mp4"
    video = shutil.which("ffmpeg") is not None
    if video:
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-loop", "1", "-i", str(content_png), "-frames:v", str(4 * frames),
                        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-r", "25", str(clip)], check=True)
    for _ in range(a.rounds):
        ref = run_peers(row, magenta_graphs["float"], magenta_graphs["int8"],
                        lambda names: graphs.magenta_feeds(list(names), c, vector), "nhwc", a.threads, a.repeats, bf16)
        row.put("stylize in-process", *stylize.in_process("magenta", content_png, a.repeats, raw, vector=vector_file))
        row.put("stylize command", *stylize.whole([str(content_png), str(style256), "-o", str(out_png), *common],
                                                  a.whole_repeats, f"magenta_{w}x{h}"))
        if bf16:
            row.put("stylize bf16 in-process", *stylize.in_process("magenta", content_png, a.repeats, raw16, vector=vector_file,
                                                                   precision="bf16"))
            row.put("stylize bf16 command", *stylize.whole([str(content_png), str(style256), "-o", str(out16), *common,
                                                            "--precision", "bf16"], a.whole_repeats, f"magenta_{w}x{h}_bf16"))
        t, cpu, rss = stylize.whole(["batch", "--content", str(folder), "--style", str(style256), "-o", str(outdir),
                                     *common], a.whole_repeats, f"magenta_batch_{w}x{h}",
                                    before=lambda: shutil.rmtree(outdir, ignore_errors=True))
        row.put("stylize batch, per image", t / frames, cpu / frames, rss)
        if video:
            t, cpu, rss = stylize.whole(["video", str(clip), str(style256), "-o", str(video_out), *common],
                                        a.whole_repeats, f"magenta_video_{w}x{h}")
            row.put("stylize video, per frame", t / (4 * frames), cpu / (4 * frames), rss)
    row.diffs["stylize in-process"] = difference(levels(np.fromfile(raw, np.float32).reshape(h, w, 3)), ref)
    row.diffs["stylize command"] = difference(read_png(out_png), ref)
    if bf16:
        row.diffs["stylize bf16 in-process"] = difference(levels(np.fromfile(raw16, np.float32).reshape(h, w, 3)), ref)
        row.diffs["stylize bf16 command"] = difference(read_png(out16), ref)
    outputs = sorted(outdir.rglob("*.png"))
    row.diffs["stylize batch, per image"] = difference(read_png(outputs[0]), ref) if outputs else "?"
    return row


# ---------------------------------------------------------------- report

STYLIZE_COLUMNS = ["stylize in-process", "stylize command", "stylize batch, per image", "stylize video, per frame",
                   "stylize bf16 in-process", "stylize bf16 command"]
PEER_COLUMNS = ["onnxruntime f32", "OpenVINO f32", "OpenVINO bf16", "OpenVINO int8", "onnxruntime int8"]


def tables(rows):
    out = []
    cols = [c for c in STYLIZE_COLUMNS + PEER_COLUMNS if any(c in r.times for r in rows)]
    out.append(f"Seconds per transfer ({'CPU time' if peers.CPU_CLOCK[0] else 'wall clock'}, best of the runs); in brackets "
               "each engine's time over stylize in-process (above 1: stylize in-process is faster).")
    out.append("")
    out.append("| network | content | style | " + " | ".join(cols) + " | load at start |")
    out.append("|---|---|---|" + "---|" * (len(cols) + 1))
    for r in rows:
        base = r.times["stylize in-process"][0]
        cells = []
        for c in cols:
            if c not in r.times:
                cells.append("–")
                continue
            t = r.times[c][0]
            cells.append(f"{t:.4f}" if c == "stylize in-process" else f"{t:.4f} ({t / base:.2f})")
        out.append(f"| {r.network} | {r.size[0]}x{r.size[1]} | {r.style} | " + " | ".join(cells) + f" | {r.load} |")
    out.append("")
    out.append("Peak RSS of the whole stylize commands (MiB, GNU time -v):")
    out.append("")
    rss_cols = [c for c in STYLIZE_COLUMNS if any(c in r.rss for r in rows)]
    out.append("| network | content | " + " | ".join(rss_cols) + " |")
    out.append("|---|---|" + "---|" * len(rss_cols))
    for r in rows:
        out.append(f"| {r.network} | {r.size[0]}x{r.size[1]} | " + " | ".join(str(r.rss.get(c, "–")) for c in rss_cols) + " |")
    out.append("")
    out.append("Difference to onnxruntime f32's output, 8-bit levels, mean / max over all values:")
    out.append("")
    dcols = [c for c in STYLIZE_COLUMNS + PEER_COLUMNS if any(c in r.diffs for r in rows)]
    out.append("| network | content | " + " | ".join(dcols) + " |")
    out.append("|---|---|" + "---|" * len(dcols))
    for r in rows:
        out.append(f"| {r.network} | {r.size[0]}x{r.size[1]} | " + " | ".join(r.diffs.get(c, "–") for c in dcols) + " |")
    notes = sorted({f"{r.network} {r.size[0]}x{r.size[1]}: {n}" for r in rows for n in r.notes})
    if notes:
        out.append("")
        out += [f"- {n}" for n in notes]
    return "\n".join(out)


def issue_table(rows, versions):
    """The issue's summary: one row per network at its reference size."""
    picks = [("default", (512, 512), "default model (MobileNet-slice AdaIN), 512x512 content + 512x512 style"),
             ("magenta", (384, 384), "Magenta transformer, 384x384 content (style vector given)"),
             ("vgg", (1024, 1024), "VGG AdaIN (pytorch-AdaIN, seeded weights), 1024x1024 + 512x512")]
    out = [f"| network, size | stylize in-process | stylize whole command | onnxruntime {versions['onnxruntime']} f32 "
           f"| OpenVINO {versions['openvino']} f32 | OpenVINO, its fast mode | stylize bf16 in-process |",
           "|---|---|---|---|---|---|---|"]
    for net, size, label in picks:
        r = next((r for r in rows if r.network == net and r.size == size), None)
        if r is None:
            continue
        get = lambda c: f"{r.times[c][0]:.3f} s" if c in r.times else "–"
        whole = get("stylize command")
        if "stylize video, per frame" in r.times:
            whole += f"; {get('stylize video, per frame')} per frame in `stylize video`"
        elif "stylize batch, per image" in r.times:
            whole += f"; {get('stylize batch, per image')} per image in `stylize batch`"
        fast = []
        if "OpenVINO bf16" in r.times:
            fast.append(f"{get('OpenVINO bf16')} (bf16)")
        if "OpenVINO int8" in r.times:
            fast.append(f"{get('OpenVINO int8')} (int8 graph)")
        out.append(f"| {label} | {get('stylize in-process')} | {whole} | {get('onnxruntime f32')} | {get('OpenVINO f32')} "
                   f"| {', '.join(fast) or '–'} | {get('stylize bf16 in-process')} |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="folder of the release stylize and stylize-bench")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--networks", default="default,magenta,vgg")
    ap.add_argument("--sizes", default=SIZES, help="content sizes WxH, comma-separated")
    ap.add_argument("--style-size", type=int, default=512, help="side of the square style image (AdaIN networks)")
    ap.add_argument("--repeats", type=int, default=5, help="timed in-process runs (after one warm-up)")
    ap.add_argument("--min-seconds", type=float, default=2.0,
                    help="in-process timing goes on past --repeats until the timed runs add up to this long (at most 200 runs)")
    ap.add_argument("--whole-repeats", type=int, default=3, help="runs of each whole stylize command")
    ap.add_argument("--rounds", type=int, default=2,
                    help="rounds over all engines per network and size (the best of each engine counts): "
                         "a burst of load on a shared machine then hits every engine alike")
    ap.add_argument("--layers", default="default:512x512,magenta:384x384",
                    help="per-layer profiles to add (network:WxH, comma-separated; empty for none)")
    ap.add_argument("--content-image", default=str(REPO / "Images/chelsea.jpg"))
    ap.add_argument("--style-image", default=str(REPO / "Images/autumn.jpg"))
    ap.add_argument("--cpu-time", action="store_true",
                    help="one thread everywhere, runs compared by CPU time (stylize-bench: the thread's CPU clock; "
                         "the peers: process CPU time; whole commands: user + sys) instead of the wall clock, "
                         "for a machine shared with other work")
    ap.add_argument("--keep", help="keep the working files in this folder")
    ap.add_argument("--results", help="report file (default Benchmarks/results/<date>-networks.md)")
    a = ap.parse_args()
    peers.MIN_SECONDS[0] = a.min_seconds
    if a.cpu_time:
        a.threads = 1
        peers.CPU_CLOCK[0] = True
    networks = [n for n in a.networks.split(",") if n]
    sizes = [parse_size(s) for s in a.sizes.split(",") if s]
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="stylize-networks."))
    work.mkdir(parents=True, exist_ok=True)
    stylize = Stylize(a.bin, a.threads, work)
    versions = peers.versions()
    bf16 = peers.openvino_has_bf16()
    version = subprocess.run([stylize.cli, "--version"], capture_output=True, text=True).stdout.split()
    clock = ("CPU time, 1 thread (stylize-bench: the thread's CPU clock; peers: process CPU time; whole commands: "
             "user + sys)" if a.cpu_time else "wall clock")
    header = [f"machine: {machine()}", f"clock: {clock}",
              f"threads: {a.threads}; in-process: best of at least {a.repeats} runs and {a.min_seconds:g} s after a warm-up; "
              f"whole commands: best of at least {a.whole_repeats} (and {a.min_seconds:g} s, at most 20 runs); "
              f"{a.rounds} rounds over all engines per row",
              f"stylize: {' '.join(version)}; onnxruntime {versions['onnxruntime']}; OpenVINO {versions['openvino']}"
              f" (bf16 on this CPU: {'yes' if bf16 else 'no'})",
              f"content: {Path(a.content_image).name}, style: {Path(a.style_image).name} (centre crop, Lanczos)",
              f"load average before: {load()}"]
    for line in header:
        log(line)
    weights = REPO / "Weights/default.safetensors"
    style_png = work / f"style_{a.style_size}.png"
    style_u8 = prepare_image(a.style_image, a.style_size, a.style_size, style_png)
    rows = []
    if "vgg" in networks:
        for fmt, name in (("native", "vgg_native"), ("pytorch", "vgg_pytorch")):
            subprocess.run([stylize.bench, "export-weights", "--format", fmt, "--path", str(work / f"{name}.safetensors")],
                           check=True, capture_output=True)
    if "magenta" in networks:
        style256 = work / "style_256.png"
        prepare_image(a.style_image, 256, 256, style256)
        vector_file = work / "style_vector.f32"
        subprocess.run([stylize.bench, "style-vector", "--style", str(style256), "--output", str(vector_file)],
                       check=True, capture_output=True, cwd=REPO)
        vector = np.fromfile(vector_file, np.float32)
        magenta_graphs = graphs.export_magenta(work)
    for net in networks:
        for size in sizes:
            log(f"{net} {size[0]}x{size[1]} (load {load()})")
            if net == "magenta":
                rows.append(bench_magenta(size, a, stylize, work, style256, vector_file, vector, magenta_graphs, bf16))
            else:
                rows.append(bench_adain(net, size, a, stylize, work, style_png, style_u8, weights,
                                        work / "vgg_pytorch.safetensors", bf16))
    report = ["# Networks people run: stylize, onnxruntime and OpenVINO", ""] + [f"- {l}" for l in header]
    report += [f"- load average after: {load()}", "", "## Summary (the issue's table)", "", issue_table(rows, versions),
               "", "## Every network and size", "", tables(rows)]
    for spec in filter(None, a.layers.split(",")):
        net, size = spec.split(":")
        w, h = parse_size(size)
        cmd = [stylize.bench, "layers", "--network", net, "--size", f"{w}x{h}", "--threads", str(a.threads),
               "--repeats", str(a.repeats), "--min-seconds", str(a.min_seconds)]
        cmd += ["--cpu-time"] if a.cpu_time else []
        content_png = work / f"content_{w}x{h}.png"
        if not content_png.exists():
            prepare_image(a.content_image, w, h, content_png)
        cmd += ["--content", str(content_png)]
        if net == "magenta" and "magenta" in networks:
            cmd += ["--style-vector", str(vector_file)]
        elif net != "magenta":
            cmd += ["--style", str(style_png)]
        log(f"layers {net} {w}x{h} (load {load()})")
        text = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO).stdout
        report += ["", f"## Per layer: {net}, {w}x{h} (`stylize-bench layers`, load before {load()})", "",
                   "\n".join(l for l in text.splitlines() if not l.startswith("RESULT"))]
    text = "\n".join(report) + "\n"
    print(text)
    suffix = "-cpu-time" if a.cpu_time else ""
    results = Path(a.results) if a.results else REPO / "Benchmarks/results" / f"{datetime.date.today()}-networks{suffix}.md"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(text)
    log(f"wrote {results}")
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
