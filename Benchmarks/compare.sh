#!/usr/bin/env bash
# Full AdaIN transfer, one run, every engine: stylize (the dispatched kernels, the same
# binary forced to the AVX2 kernels where the dispatcher chose AVX-512F, and to the portable
# kernels with STYLIZE_ISA=generic, and a previous build of
# this repository), PyTorch, onnxruntime and OpenVINO. Same network (pytorch-AdaIN VGG:
# encoder to relu4_1, AdaIN, decoder), same seeded weights, same images, same threads.
#
#   Benchmarks/compare.sh [--threads 2] [--content 1024] [--style 512] [--repeats 3]
#                         [--previous COMMIT] [--previous-bin PATH] [--keep DIR]
#
# stylize is timed as a whole process (decode, both encoders, AdaIN, decoder, PNG encode):
# best wall time of --repeats runs, with that run's CPU time (user + sys, a check on a
# loaded machine); the other engines in-process (the transfer only, best of
# --repeats after a warm-up, with that run's process CPU time), as BENCHMARKS.md
# reports them. Peak RSS is GNU time's maximum
# resident set of each whole process (for the Python engines: interpreter, framework and
# warm-up included). The previous build is COMMIT (default 8f55f87, the last commit before
# runtime dispatch) built in a temporary clone, unless --previous-bin gives a binary.
#
# Needs: swift, /usr/bin/time, git, and a Python (PYTHON, default python3) with
# Benchmarks/requirements.txt installed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

THREADS=2
CONTENT=1024
STYLE=512
REPEATS=3
PREVIOUS=8f55f87
PREVIOUS_BIN=
KEEP=
PYTHON=${PYTHON:-python3}
while [[ $# -gt 0 ]]; do
    case "$1" in
        --threads) THREADS=$2; shift 2 ;;
        --content) CONTENT=$2; shift 2 ;;
        --style) STYLE=$2; shift 2 ;;
        --repeats) REPEATS=$2; shift 2 ;;
        --previous) PREVIOUS=$2; shift 2 ;;
        --previous-bin) PREVIOUS_BIN=$2; shift 2 ;;
        --keep) KEEP=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stylize-compare.XXXXXX")
if [[ -n $KEEP ]]; then WORK=$KEEP; mkdir -p "$WORK"; else trap 'rm -rf "$WORK"' EXIT; fi

swift build -c release --product stylize >&2
swift build -c release --product stylize-bench >&2
BIN=$(swift build -c release --show-bin-path)
if [[ -z $PREVIOUS_BIN ]]; then
    echo "building the previous build ($PREVIOUS) in a temporary clone..." >&2
    git clone -q "$ROOT" "$WORK/previous"
    git -C "$WORK/previous" checkout -q "$PREVIOUS"
    (cd "$WORK/previous" && swift build -c release --product stylize >&2)
    PREVIOUS_BIN="$WORK/previous/.build/release/stylize"
fi

"$BIN/stylize-bench" export-weights --format pytorch --path "$WORK/weights.safetensors" >&2
(cd Benchmarks && "$PYTHON" bench_engines.py prepare --dir "$WORK" --weights "$WORK/weights.safetensors" \
    --content "$CONTENT" --style "$STYLE") 2>&1 | grep -v Warning | grep -v '_C._jit' >&2
"$BIN/stylize" weights import --vgg "$WORK/vgg_normalised.pth" --decoder "$WORK/decoder.pth" \
    -o "$WORK/adain.safetensors" >&2

# time_v FILE COMMAND...: runs under GNU time -v; sets WALL and CPU (user + sys) in s, RSS in MiB
time_v() {
    local name=$1; shift
    /usr/bin/time -v -o "$WORK/$name.time" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" \
        || { cat "$WORK/$name.err" >&2; exit 1; }
    WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$WORK/$name.time")
    CPU=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$WORK/$name.time")
    RSS=$(awk -F': ' '/Maximum resident set size/ { printf "%d", $2 / 1024 }' "$WORK/$name.time")
}

rows=()
stylize_row() {   # FILE LABEL ISA BINARY: best wall time of REPEATS runs (and that run's CPU time)
    local file=$1 label=$2 isa=$3 bin=$4 best=999999 cpu=0 rss=0
    for r in $(seq "$REPEATS"); do
        STYLIZE_ISA=$isa time_v "$file-$r" "$bin" "$WORK/content.png" "$WORK/style.png" \
            --weights "$WORK/adain.safetensors" --content-size 0 --style-size 0 --threads "$THREADS" \
            --quiet -o "$WORK/$file.png"
        if awk -v a="$best" -v b="$WALL" 'BEGIN { exit !(b < a) }'; then best=$WALL; cpu=$CPU; fi
        if (( RSS > rss )); then rss=$RSS; fi
    done
    rows+=("$label|whole process|$best|$cpu|$rss")
}
python_row() {    # FILE LABEL MODE [CHECK]: in-process best time; RSS of the whole process
    time_v "$1" "$PYTHON" Benchmarks/bench_engines.py "$3" --dir "$WORK" --threads "$THREADS" \
        --content "$CONTENT" --style "$STYLE" --repeats "$REPEATS" ${4:+--check "$4"}
    grep RESULT "$WORK/$1.out" >&2
    local s c; s=$(sed -n 's/.* seconds=\([0-9.]*\).*/\1/p' "$WORK/$1.out")
    c=$(sed -n 's/.* cpu_seconds=\([0-9.]*\).*/\1/p' "$WORK/$1.out")
    rows+=("$2 $(sed -n 's/.* version=\([0-9.]*[^ -]*\).*/\1/p' "$WORK/$1.out")|in-process|$s|$c|$RSS")
}

echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) CPUs, flags: $(grep -o -w -E 'avx2|fma|avx512f' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "threads: $THREADS; content ${CONTENT}x${CONTENT}, style ${STYLE}x${STYLE}; best of $REPEATS; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "stylize: $("$BIN/stylize" --version | tr '\n' ' '); previous build: $PREVIOUS"
DISPATCHED=$("$BIN/stylize" --version | sed -n 's/^kernels: \([^ ]*\).*/\1/p')
stylize_row stylize "stylize (dispatched: $DISPATCHED)" "" "$BIN/stylize"
PNGS=("$WORK/stylize.png")
if [[ $DISPATCHED == avx512f ]]; then
    stylize_row avx2 "stylize STYLIZE_ISA=avx2" avx2 "$BIN/stylize"
    PNGS+=("$WORK/avx2.png")
    cmp -s "$WORK/stylize.png" "$WORK/avx2.png" && echo "avx512f and avx2 outputs: bit-identical" \
        || echo "avx512f and avx2 outputs: DIFFER"
fi
stylize_row generic "stylize STYLIZE_ISA=generic" generic "$BIN/stylize"
stylize_row previous "stylize previous build ($PREVIOUS)" "" "$PREVIOUS_BIN"
python_row torch PyTorch torch
python_row ort onnxruntime ort "$WORK/torch.npy"
python_row openvino OpenVINO openvino "$WORK/torch.npy"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Same result everywhere: stylize's 8-bit outputs against PyTorch's, rounded to 8 bits.
(cd Benchmarks && "$PYTHON" bench_engines.py compare --dir "$WORK" --check "$WORK/torch.npy" \
    --png "${PNGS[@]}" "$WORK/generic.png" "$WORK/previous.png")

echo
base=$(cut -d'|' -f3 <<< "${rows[0]}")
echo "| engine | timed | seconds | ratio to stylize | CPU s (user+sys) | peak RSS MiB |"
echo "|---|---|---|---|---|---|"
for r in "${rows[@]}"; do
    IFS='|' read -r name how s cpu rss <<< "$r"
    echo "| $name | $how | $s | $(awk -v a="$s" -v b="$base" 'BEGIN { printf "%.2f", a / b }') | $cpu | $rss |"
done
