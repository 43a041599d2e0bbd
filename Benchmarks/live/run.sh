#!/usr/bin/env bash
# The live view's speed and memory, browser to browser on loopback (README "Live view",
# BENCHMARKS.md): headless Chromium with its fake camera playing a 640x480 30 fps clip made
# here from Images/, on the same machine as `stylize serve --threads $THREADS` (release build).
#
#   Benchmarks/live/run.sh OUTDIR
#
# Writes OUTDIR/live_rgba.tsv and live_jpeg.tsv (per model and size: fps, end-to-end latency
# median and p95, the server's median part, camera frames dropped per second, load average
# before), OUTDIR/socket.jsonl (the same server driven by a client without a browser: fps,
# round trip, the server's CPU time a frame), OUTDIR/engine.tsv (`stylize video` on the same
# clip and sizes: the engine alone) and
# OUTDIR/memory.json (peak resident memory of the server with two live clients at 480p and
# /v1/stylize jobs of 1024 px at once, against --max-memory $MEMORY_BUDGET).
#
# Environment: THREADS (default 2), SECONDS_PER_RUN (default 20), PYTHON (with selenium;
# default python3), TRANSPORTS (default "rgba jpeg"), CONFIGS (default all four),
# MEMORY_BUDGET (default 500M), STYLIZE_BIN (a stylize binary instead of building one).
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
root="$(cd "$(dirname "$0")/../.." && pwd)"
threads=${THREADS:-2}
seconds=${SECONDS_PER_RUN:-20}
python=${PYTHON:-python3}
configs=${CONFIGS:-adain:240,magenta:240,adain:480,magenta:480}
budget=${MEMORY_BUDGET:-500M}
mkdir -p "$out"
out="$(cd "$out" && pwd)"
if [ -n "${STYLIZE_BIN:-}" ]; then bin=$STYLIZE_BIN; else
    bin="$(cd "$root" && swift build -c release --product stylize >/dev/null && swift build -c release --show-bin-path)/stylize"
fi

# The camera: a slow pan and zoom over a sample image, 640x480 at 30 fps, 6 s (looped by Chromium).
clip="$out/camera.y4m"
[ -f "$clip" ] || ffmpeg -nostdin -hide_banner -loglevel error -y -loop 1 -framerate 30 -i "$root/Images/evening_glow.jpg" \
    -vf "scale=w='trunc(1300*(1+0.15*t/6)/2)*2':h=-2:eval=frame,crop=w=1040:h=780:x='(iw-1040)/2+120*t/6':y='(ih-780)/2+40*t/6',scale=640:480:flags=area,format=yuv420p" \
    -t 6 -f yuv4mpegpipe "$clip"

server_pid=""
start_server() {  # extra serve options...
    local log="$out/serve.log"
    "$bin" serve --port 0 --threads "$threads" --quiet --styles "$root/Images" "$@" > "$log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do
        url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$log" | head -1 || true)
        [ -n "$url" ] && return 0
        sleep 0.2
    done
    echo "the server did not start: $(cat "$log")" >&2; exit 1
}
stop_server() { [ -n "$server_pid" ] && kill -INT "$server_pid" && wait "$server_pid" || true; server_pid=""; }
trap stop_server EXIT

start_server
rm -f "$out/live.jsonl"
for transport in ${TRANSPORTS:-rgba jpeg}; do
    "$python" "$root/Benchmarks/live/bench_live.py" --url "$url" --clip "$clip" --configs "$configs" --transport "$transport" \
        --seconds "$seconds" --json "$out/live.jsonl" | tee "$out/live_$transport.tsv"
done
# The same server without a browser (Benchmarks/live/socket_client.py): what the server costs.
port=${url##*:}; port=${port%/}
rm -f "$out/socket.jsonl"
for config in ${configs//,/ }; do
    "$python" "$root/Benchmarks/live/socket_client.py" --port "$port" --pid "$server_pid" --model "${config%%:*}" \
        --size "$([ "${config##*:}" = 240 ] && echo 320x240 || echo 640x480)" --frames 20 | tee -a "$out/socket.jsonl"
done
stop_server

# The engine alone on the same frames, back to back (no browser, no socket): `stylize video`
# on the camera clip at each size, 60 frames; its fps includes ffmpeg decoding and encoding
# beside the network, which run in their own processes.
ffmpeg -nostdin -hide_banner -loglevel error -y -i "$clip" -c:v libx264 -crf 12 -preset veryfast "$out/camera.mp4"
echo -e "model\tsize\tfps_engine_alone\tload_before" > "$out/engine.tsv"
for config in ${configs//,/ }; do
    model=${config%%:*}; size=${config##*:}
    load=$(cut -d' ' -f1 /proc/loadavg)
    "$bin" video "$out/camera.mp4" "$root/Images/autumn.jpg" --model "$model" --content-size "$size" --threads "$threads" \
        --frames 60 -o "$out/engine_${model}_$size.mp4" --json 2>/dev/null \
        | python3 -c "import json,sys; d=json.load(sys.stdin); print('$model', f\"{d['width']}x{d['height']}\", round(d['fps'], 2), $load, sep='\t')" \
        | tee -a "$out/engine.tsv"
done

start_server --max-memory "$budget" --max-upload 4M --queue 2
"$python" "$root/Benchmarks/live/bench_live.py" --url "$url" --clip "$clip" --memory "$server_pid" \
    --content "$root/Images/flow.jpg" --seconds "$seconds" | tee "$out/memory.json"
stop_server
echo "threads $threads; load average at the end: $(cat /proc/loadavg)"
