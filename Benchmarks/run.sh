#!/usr/bin/env bash
# Engine benchmark: Swift (stylize-bench) against PyTorch on the same machine, the
# same network (pytorch-AdaIN VGG encoder to relu4_1 + decoder), the same seeded
# weights and images, the same thread count, run back to back.
#
#   Benchmarks/run.sh [--threads N] [--sizes 256,512,1024] [--repeats R] [--skip-layers] [--cpu-time]
#
# --cpu-time: one thread, timed with each process's thread CPU clock instead of
# the wall clock (Swift: CLOCK_THREAD_CPUTIME_ID, Python: time.thread_time). On a
# machine shared with other work this leaves out time spent descheduled, so the
# ratio stays meaningful under load; it still includes cache and memory contention.
#
# Needs: swift, /usr/bin/time, and a Python with torch + safetensors + numpy
# (PYTHON, default python3; see Benchmarks/requirements.txt). Each network size runs in its own
# process for both engines, so "peak RSS" is the maximum resident set of one
# process doing that size (GNU time's %M), warm-up run included.
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS=$(nproc)
SIZES=256,512,1024
REPEATS=2
LAYERS=1
CPUTIME=()
PYTHON=${PYTHON:-python3}
while [[ $# -gt 0 ]]; do
    case "$1" in
        --threads) THREADS=$2; shift 2 ;;
        --sizes) SIZES=$2; shift 2 ;;
        --repeats) REPEATS=$2; shift 2 ;;
        --skip-layers) LAYERS=0; shift ;;
        --cpu-time) CPUTIME=(--cpu-time); THREADS=1; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stylize-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
swift build -c release --product stylize-bench >&2
BENCH=$(swift build -c release --show-bin-path)/stylize-bench
"$BENCH" export-weights --format pytorch --path "$WORK/weights.safetensors" >&2

echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "threads: $THREADS; swift: $(swift --version 2>&1 | head -1)"
echo "torch: $("$PYTHON" -c 'import torch; print(torch.__version__)')"
if [[ ${#CPUTIME[@]} -gt 0 ]]; then
    echo "clock: thread CPU time (1 thread)"
    "$BENCH" peak --threads 1 --cpu-time | tee "$WORK/peak.txt"
else
    echo "clock: wall"
    "$BENCH" peak --threads "1,$THREADS" | tee "$WORK/peak.txt"
fi
PEAK=$(sed -n "s/^RESULT peak threads=$THREADS gflops=//p" "$WORK/peak.txt" | tail -1)

rows=()
first=1
for size in ${SIZES//,/ }; do
    check=()
    if [[ $first == 1 ]]; then check=(--write-output "$WORK/swift_out.bin"); fi
    /usr/bin/time -f "%M" -o "$WORK/swift_rss" "$BENCH" network --network vgg --threads "$THREADS" --sizes "$size" \
        --style-size 0 --flops --repeats "$REPEATS" "${CPUTIME[@]}" "${check[@]}" > "$WORK/swift.txt"
    pycheck=()
    if [[ $first == 1 ]]; then pycheck=(--check "$WORK/swift_out.bin"); fi
    /usr/bin/time -f "%M" -o "$WORK/torch_rss" "$PYTHON" Benchmarks/bench_pytorch.py network \
        --weights "$WORK/weights.safetensors" --threads "$THREADS" --sizes "$size" --repeats "$REPEATS" \
        "${CPUTIME[@]}" "${pycheck[@]}" > "$WORK/torch.txt"
    grep RESULT "$WORK/swift.txt" "$WORK/torch.txt" | sed 's/^[^:]*://' >&2
    s=$(sed -n 's/.*network.* seconds=\([0-9.]*\).*/\1/p' "$WORK/swift.txt")
    t=$(sed -n 's/.*network.* seconds=\([0-9.]*\).*/\1/p' "$WORK/torch.txt")
    gs=$(sed -n 's/.*gflops=\([0-9.]*\).*/\1/p' "$WORK/swift.txt")
    rows+=("$size $s $t $gs $(( $(cat "$WORK/swift_rss") / 1024 )) $(( $(cat "$WORK/torch_rss") / 1024 ))")
    first=0
done

echo
echo "Full AdaIN transfer (content + style encoder to relu4_1, AdaIN, decoder; style image same size), $THREADS threads, best of $REPEATS after a warm-up"
printf "%-10s %10s %10s %8s %14s %14s %14s\n" size swift_s torch_s speedup swift_GFLOP/s swift_RSS_MiB torch_RSS_MiB
for r in "${rows[@]}"; do
    read -r size s t gs rs rt <<< "$r"
    printf "%-10s %10s %10s %8s %14s %14s %14s\n" "${size}x${size}" "$s" "$t" \
        "$(awk -v a="$t" -v b="$s" 'BEGIN{printf "%.2fx", a/b}')" "$gs" "$rs" "$rt"
done

if [[ $LAYERS == 1 ]]; then
    "$BENCH" convs --network vgg --kernel 3 --threads "$THREADS" --size 512 --repeats "$REPEATS" --peak "$PEAK" \
        "${CPUTIME[@]}" > "$WORK/swift_layers.txt"
    "$PYTHON" Benchmarks/bench_pytorch.py layers --weights "$WORK/weights.safetensors" --threads "$THREADS" \
        --size 512 --repeats "$REPEATS" "${CPUTIME[@]}" > "$WORK/torch_layers.txt"
    echo
    echo "Each 3x3 conv alone (reflection pad 1 + conv + ReLU) at its resolution in a 512x512 transfer; peak $PEAK GFLOP/s ($THREADS threads, FMA loop)"
    printf "%-12s %6s %10s %10s %10s %8s %10s %8s\n" layer res cin-cout swift_ms GFLOP/s %peak torch_ms speedup
    while read -r line; do
        key=$(awk '{print $3}' <<< "$line")
        get() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<< "$2"; }
        tline=$(grep "RESULT layer $key " "$WORK/torch_layers.txt" || true)
        sm=$(get ms "$line"); tm=$(get ms "$tline")
        printf "%-12s %6s %10s %10s %10s %8s %10s %8s\n" "$key" "$(get res "$line")" \
            "$(get cin "$line")-$(get cout "$line")" "$sm" "$(get gflops "$line")" "$(get pct "$line")" "$tm" \
            "$(awk -v a="$tm" -v b="$sm" 'BEGIN{printf "%.2fx", a/b}')"
    done < <(grep "RESULT layer " "$WORK/swift_layers.txt")
    grep "RESULT layers_total" "$WORK/swift_layers.txt"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
