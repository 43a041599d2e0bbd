#!/usr/bin/env python3
"""--precision bf16 against f32: level differences, time and what the measurements say.

Run through Benchmarks/precision.sh (which builds the release stylize first):

  Benchmarks/precision.sh [--threads 2] [--repeats 5] [--clip CLIP.mp4]

For both model families, every sample photo of Images/ (astronaut, chelsea, coffee,
evening_glow) with both sample styles (autumn, flow) at the default 512 px:

  levels      the bf16 output against the f32 output of the same command, 8-bit levels:
              mean |difference| over all values, the largest, and the share of values more
              than 4 levels apart
  time        the whole `stylize` command, best wall time of --repeats, each precision
  compare     `stylize compare` of the first photo and style at both precisions: the table's
              distances (measured with the float32 encoder at either precision)
  flicker     with --clip: `stylize video --json` at both precisions, its fps and flicker figures

The report (Markdown) goes to standard output and to Benchmarks/results/<date>-precision.md.
Needs numpy and Pillow (Benchmarks/requirements.txt); Python is only the harness here.
"""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
PHOTOS = ["astronaut", "chelsea", "coffee", "evening_glow"]
STYLES = ["autumn", "flow"]


def machine():
    name = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            name = line.split(":", 1)[1].strip()
            break
    return f"{name}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}"


def run(cli, args, threads):
    t0 = time.perf_counter()
    r = subprocess.run([cli, *args, "--threads", str(threads)], capture_output=True, text=True, cwd=REPO)
    t = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"stylize {' '.join(args)} failed:\n{r.stderr}")
    return t, r.stdout


def pixels(path):
    return np.asarray(Image.open(path).convert("RGB")).astype(np.int64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--clip", help="a video clip for the flicker figures (stylize video --report)")
    a = ap.parse_args()
    cli = str(Path(a.bin) / "stylize")
    info = subprocess.run([cli, "info"], capture_output=True, text=True, cwd=REPO).stdout
    bf16_line = next((l for l in info.splitlines() if l.startswith("bf16 kernels")), "bf16 kernels: ?")
    work = Path(tempfile.mkdtemp(prefix="stylize-precision-"))
    report = [f"# --precision bf16 against f32 ({datetime.date.today()})", "",
              f"Machine: {machine()}; threads {a.threads}; {bf16_line}.",
              f"Command: `Benchmarks/precision.sh --threads {a.threads} --repeats {a.repeats}"
              + (" --clip CLIP" if a.clip else "") + "`.", ""]

    report += ["## Level differences and time, whole `stylize` command at 512 px", "",
               "| model | photo | style | mean | max | > 4 levels | f32 s | bf16 s | f32 / bf16 |", "|---|---|---|---|---|---|---|---|---|"]
    totals = {}
    for model in ["adain", "magenta"]:
        for photo in PHOTOS:
            for style in STYLES:
                outs, times = {}, {}
                for precision in ["f32", "bf16"]:
                    out = work / f"{model}_{photo}_{style}_{precision}.png"
                    args = [f"Images/{photo}.jpg", f"Images/{style}.jpg", "--model", model, "--precision", precision,
                            "-o", str(out), "-q"]
                    times[precision] = min(run(cli, args, a.threads)[0] for _ in range(a.repeats))
                    outs[precision] = pixels(out)
                d = np.abs(outs["f32"] - outs["bf16"])
                totals.setdefault(model, []).append((d.mean(), d.max(), (d > 4).mean(), times["f32"], times["bf16"]))
                report.append(f"| {model} | {photo} | {style} | {d.mean():.3f} | {d.max()} | {100 * (d > 4).mean():.3f} % "
                              f"| {times['f32']:.3f} | {times['bf16']:.3f} | {times['f32'] / times['bf16']:.2f} |")
                print(report[-1], file=sys.stderr)
    report += ["", "Over the 8 pairs:", ""]
    for model, rows in totals.items():
        r = np.array(rows)
        report.append(f"- {model}: mean {r[:, 0].mean():.3f} levels (per pair {r[:, 0].min():.3f}-{r[:, 0].max():.3f}), "
                      f"max {int(r[:, 1].max())}, values > 4 levels apart {100 * r[:, 2].mean():.3f} %; "
                      f"whole command f32 / bf16 {np.median(r[:, 3] / r[:, 4]):.2f}x (median)")

    report += ["", "## `stylize compare` at both precisions (chelsea x autumn)", "",
               "The distances are measured with the float32 encoder at either precision; only the stylized outputs differ.", ""]
    for model in ["adain", "magenta"]:
        for precision in ["f32", "bf16"]:
            grid = work / f"compare_{model}_{precision}.jpg"
            _, out = run(cli, ["compare", "Images/chelsea.jpg", "Images/autumn.jpg", "--model", model,
                               "--precision", precision, "-o", str(grid)], a.threads)
            shown = out.strip().replace(str(work) + "/", "WORK/")   # the temporary folder, not a path to keep
            report += [f"`--model {model} --precision {precision}`:", "", "```", shown, "```", ""]

    if a.clip:
        report += ["## Flicker (`stylize video --json`), the same clip at both precisions", ""]
        for model in ["adain", "magenta"]:
            for precision in ["f32", "bf16"]:
                video = work / f"video_{model}_{precision}.mp4"
                _, out = run(cli, ["video", a.clip, "Images/autumn.jpg", "--model", model, "--precision", precision,
                                   "-o", str(video), "--json"], a.threads)
                data = json.loads(out)
                fl = data.get("flicker", {})
                report.append(f"- {model} {precision}: {data.get('fps', 0):.2f} fps; flicker " + ", ".join(
                    f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in fl.items()
                    if isinstance(v, (int, float))))
        report.append("")

    text = "\n".join(report) + "\n"
    print(text)
    out = REPO / "Benchmarks/results" / f"{datetime.date.today()}-precision.md"
    out.write_text(text)
    print(f"wrote {out.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
