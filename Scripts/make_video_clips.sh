#!/usr/bin/env bash
# Makes the benchmark clips of the video section (README, BENCHMARKS.md) with ffmpeg: a slow
# pan and zoom over a sample image with a 440 Hz sine-tone audio track (AAC), H.264 crf 18,
# yuv420p, 25 fps. The clips are not committed; this script is how to get them.
#
#   Scripts/make_video_clips.sh OUTDIR [IMAGE] [SECONDS]
#
# writes OUTDIR/pan480.mp4 (854x480) and OUTDIR/pan720.mp4 (1280x720). Default image:
# Images/evening_glow.jpg; default length 5 s. The image is enlarged a little more every
# frame (zoom in by 15 % over the clip) while a 2080x1170 window drifts right and down,
# then scaled to the clip's size with area averaging.
set -euo pipefail
out=${1:?usage: $0 OUTDIR [IMAGE] [SECONDS]}
image=${2:-"$(dirname "$0")/../Images/evening_glow.jpg"}
seconds=${3:-5}
command -v ffmpeg >/dev/null || { echo "ffmpeg is needed: sudo apt-get install ffmpeg" >&2; exit 1; }
mkdir -p "$out"
for size in 854x480 1280x720; do
    name="$out/pan${size#*x}.mp4"
    ffmpeg -nostdin -hide_banner -loglevel error -y \
        -loop 1 -framerate 25 -i "$image" \
        -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$seconds" \
        -filter_complex "[0:v]scale=w='trunc(2600*(1+0.15*t/$seconds)/2)*2':h=-2:eval=frame:flags=bicubic,crop=w=2080:h=1170:x='(iw-2080)/2+300*t/$seconds':y='(ih-1170)/2+100*t/$seconds',scale=${size/x/:}:flags=area,setsar=1,format=yuv420p[v]" \
        -map "[v]" -map 1:a -t "$seconds" -c:v libx264 -crf 18 -preset medium -c:a aac -b:a 128k "$name"
    echo "wrote $name"
done
