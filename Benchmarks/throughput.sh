#!/usr/bin/env bash
# Throughput of the commands that run a network many times: `stylize video` on the 854x480
# pan clip (frames per second over the whole run: decode, network, encode) and `stylize batch`
# over the content photos at 512 px (images per minute), for the default model and Magenta,
# with this checkout's release build and, with --baseline, another stylize binary run
# interleaved with it (the same clip, photos, style and threads), best of --repeats each; with
# --bf16 this build also with --precision bf16.
#
#   Benchmarks/throughput.sh [--threads 2] [--repeats 3] [--frames 50] [--baseline BIN] [--bf16]
#
# Clips come from Scripts/make_video_clips.sh (needs ffmpeg); photos from
# ../shared/images/content (SHARED to override). Peak RSS by GNU time. Markdown on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=2 repeats=3 frames=50 baseline="" bf16=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        --threads) threads=$2; shift 2 ;;
        --repeats) repeats=$2; shift 2 ;;
        --frames) frames=$2; shift 2 ;;
        --baseline) baseline=$2; shift 2 ;;
        --bf16) bf16=true; shift ;;
        *) echo "throughput.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
shared=${SHARED:-../shared/images}
work=$(mktemp -d "${TMPDIR:-/tmp}/stylize-throughput.XXXXXX")
trap 'rm -rf "$work"' EXIT
swift build -c release --product stylize >&2
current="$(swift build -c release --show-bin-path)/stylize"
Scripts/make_video_clips.sh "$work" >&2
style=Images/autumn.jpg

# best_of RUNS: runs "$@" RUNS times, prints the best wall seconds and the peak RSS (MB) of that run.
best_of() {
    local runs=$1; shift
    local best="" rss=""
    for _ in $(seq "$runs"); do
        rm -rf "$work/out" "$work/out.mp4"
        /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
        read -r s k < "$work/time"
        if [[ -z $best ]] || (( $(echo "$s < $best" | bc) )); then best=$s; rss=$((k / 1024)); fi
    done
    echo "$best $rss"
}

echo "# Throughput: video and batch"
echo
echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs; threads $threads; best of $repeats"
echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- video: pan480.mp4 (854x480, first $frames frames), style $style; batch: the $(ls "$shared/content" | wc -l) photos of $shared/content at --content-size 512"
echo
echo "| binary | model | video fps (854x480) | video peak RSS | batch images/min (512 px) | batch peak RSS |"
echo "|---|---|---|---|---|---|"
# runs: "label|binary|precision" (precision empty: the binary's default, f32)
runs=("this build|$current|")
[[ -n $baseline ]] && runs=("baseline|$baseline|" "${runs[@]}")
$bf16 && runs+=("this build, --precision bf16|$current|bf16")
photos=$(ls "$shared/content" | wc -l)
for model in adain magenta; do
    for run in "${runs[@]}"; do
        IFS='|' read -r label bin precision <<< "$run"
        extra=()
        [[ -n $precision ]] && extra=(--precision "$precision")
        read -r vs vr < <(best_of "$repeats" "$bin" video "$work/pan480.mp4" "$style" --model "$model" \
            --frames "$frames" --threads "$threads" "${extra[@]}" -o "$work/out.mp4")
        read -r bs br < <(best_of "$repeats" "$bin" batch --content "$shared/content" --style "$style" --model "$model" \
            --content-size 512 --threads "$threads" "${extra[@]}" -o "$work/out")
        printf "| %s | %s | %.2f | %s MB | %.0f | %s MB |\n" "$label" "$model" \
            "$(echo "$frames / $vs" | bc -l)" "$vr" "$(echo "$photos * 60 / $bs" | bc -l)" "$br"
    done
done
echo
echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
