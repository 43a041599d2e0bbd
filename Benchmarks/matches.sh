#!/usr/bin/env bash
# The statistic matches (--match moments|covariance|distribution) against each other: the
# whole `stylize` command's time and peak memory at 512 px and on a 24-megapixel photo, the
# tiled run against the untiled one on a 2048-pixel photo, and (with --flicker) the flicker
# of every swap on the pan clip of Scripts/make_video_clips.sh.
#
#   Benchmarks/matches.sh [--threads N] [--repeats R] [--big-repeats B] [--flicker]
#
# Part 1: Images/astronaut.jpg (512x512) with Images/autumn.jpg (style 512), each match R
# times, the matches interleaved (moments, covariance, distribution, moments, ...) so a change
# of the machine's load hits them alike; GNU time -v's wall clock, user + system time and
# maximum resident set, median of the R runs. Part 2: a shared photo upscaled to 6000x4000
# (JPEG q92), --content-size 0, the default --max-memory 1.5G, B times per match (default 3),
# interleaved, median. Part 3: a
# 2048x2048 photo untiled (--max-memory 100G) and with --tile 512, PNG outputs compared
# (mean and max difference in 8-bit levels). Part 4: `stylize compare --video` on pan480.mp4
# (427x240, 125 frames) for the norms instance, batch, group (G=8) under every match.
#
# Needs: swift, /usr/bin/time (Debian package `time`), python3 with Pillow and numpy, ffmpeg for
# --flicker (images come from ../shared/images; nothing is written to the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=2 REPEATS=5 BIG=3 FLICKER=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --threads) THREADS=$2; shift 2 ;;
        --repeats) REPEATS=$2; shift 2 ;;
        --big-repeats) BIG=$2; shift 2 ;;
        --flicker) FLICKER=1; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
SHARED=${SHARED:-../shared/images}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stylize-matches.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
swift build -c release --product stylize >&2
BIN=$(swift build -c release --show-bin-path)/stylize
MATCHES="moments covariance distribution"

python3 - "$SHARED" "$WORK" <<'PY'
import sys
from PIL import Image
shared, work = sys.argv[1], sys.argv[2]
photo = Image.open(f"{shared}/content/chicago.jpg").convert("RGB")
photo.resize((6000, 4000), Image.LANCZOS).save(f"{work}/big.jpg", quality=92)
Image.open(f"{shared}/content/golden_gate.jpg").convert("RGB").resize((2048, 2048), Image.LANCZOS).save(f"{work}/sq2048.png")
PY

# run MATCH OUT ARGS...: one run under GNU time -v; appends "wall user+sys maxrss_kib" to $WORK/MATCH.OUT
run() {
    local match=$1 out=$2; shift 2
    /usr/bin/time -v -o "$WORK/time" "$BIN" "$@" --match "$match" --threads "$THREADS" -q >/dev/null 2>"$WORK/err" \
        || { cat "$WORK/err" "$WORK/time" >&2; exit 1; }
    python3 - "$WORK/time" >> "$WORK/$match.$out" <<'PY'
import sys
t = {}
for line in open(sys.argv[1]):
    k, _, v = line.strip().rpartition(": ")
    t[k] = v
h, m, s = (["0", "0"] + t["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":"))[-3:]
wall = int(h) * 3600 + int(m) * 60 + float(s)
print(wall, float(t["User time (seconds)"]) + float(t["System time (seconds)"]), int(t["Maximum resident set size (kbytes)"]))
PY
}

# table OUT: "| match | wall | user + sys | peak RSS | wall vs moments |" from the medians
table() {
    python3 - "$WORK" "$1" $MATCHES <<'PY'
import sys, statistics
work, out, matches = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = {m: [tuple(map(float, l.split())) for l in open(f"{work}/{m}.{out}")] for m in matches}
med = {m: [statistics.median(r[k] for r in rows[m]) for k in range(3)] for m in matches}
print("| match | wall (median) | user + sys | peak RSS | wall / moments |")
print("|---|---|---|---|---|")
for m in matches:
    w, c, kib = med[m]
    print(f"| {m} | {w:.2f} s | {c:.2f} s | {kib * 1024 / 1e6:.0f} MB | {w / med['moments'][0]:.3f} |")
print(f"({len(rows['moments'])} runs each; runs: " + "; ".join(f"{m} " + ", ".join(f"{r[0]:.2f}" for r in rows[m]) for m in matches) + ")")
PY
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs; threads: $THREADS; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "## 512 px (Images/astronaut.jpg, style Images/autumn.jpg at 512)"
echo
for ((i = 0; i < REPEATS; i++)); do
    for m in $MATCHES; do run "$m" small Images/astronaut.jpg Images/autumn.jpg -o "$WORK/small_$m.png"; done
done
table small
echo
echo "## 6000x4000 (24 MP), --content-size 0, --max-memory 1.5G"
echo
for ((i = 0; i < BIG; i++)); do
    for m in $MATCHES; do run "$m" big "$WORK/big.jpg" Images/autumn.jpg --content-size 0 -o "$WORK/big_$m.jpg"; done
done
table big
echo
echo "## 2048x2048: --tile 512 against the untiled run (--max-memory 100G)"
echo
echo "| match | mean difference | max difference | pixels off by more than 1 level |"
echo "|---|---|---|---|"
for m in $MATCHES; do
    "$BIN" "$WORK/sq2048.png" Images/autumn.jpg --content-size 0 --max-memory 100G --match "$m" --threads "$THREADS" -q -o "$WORK/u_$m.png"
    "$BIN" "$WORK/sq2048.png" Images/autumn.jpg --content-size 0 --tile 512 --match "$m" --threads "$THREADS" -q -o "$WORK/t_$m.png"
    python3 - "$WORK/u_$m.png" "$WORK/t_$m.png" "$m" <<'PY'
import sys
import numpy as np
from PIL import Image
a = np.asarray(Image.open(sys.argv[1]), dtype=np.int16)
b = np.asarray(Image.open(sys.argv[2]), dtype=np.int16)
d = np.abs(a - b)
print(f"| {sys.argv[3]} | {d.mean():.2e} levels | {d.max()} | {(d > 1).sum()} |")
PY
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ $FLICKER == 1 ]]; then
    echo
    echo "## Flicker on pan480.mp4 (compare --video, 240 px)"
    echo
    Scripts/make_video_clips.sh "$WORK/clips" >/dev/null
    "$BIN" compare --video "$WORK/clips/pan480.mp4" Images/autumn.jpg --content-size 240 \
        --norms instance,batch,group --groups 8 --matches moments,covariance,distribution \
        -o "$WORK/strip.png" --report "$WORK/flicker.md" --threads "$THREADS" >/dev/null
    cat "$WORK/flicker.md"
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
