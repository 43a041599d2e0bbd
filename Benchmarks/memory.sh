#!/usr/bin/env bash
# Memory of the engine on every command: bytes per pixel of each shipped network, and peak
# RSS (GNU time's %M, the whole process) with wall time for the commands that must stay
# within --max-memory on a 24-megapixel photo.
#
#   Benchmarks/memory.sh [--threads N]
#
# Part 1 runs untiled transfers (--max-memory 100G) at 1, 2 and 4 megapixels; the slope of
# peak RSS over pixels is the measured bytes per pixel that FootprintTests checks the
# networks' footprints against. Part 2 is the table of issue 13: a 6000x4000 JPEG through
# transfer, batch (--max-memory 1G), compare, and --model magenta; compare of each family at
# --max-memory 120M, 150M and 200M on a 2-megapixel photo (also with --contrast-sweep, where
# a budget too small for the grid is refused before any run); Magenta seconds per
# megapixel tiled (band sweep, forced with --tile) vs untiled at 4 MP; and Magenta's band
# sweep vs its untiled run on a 2048x2048 photo (mean and max difference in 8-bit levels).
#
# Needs: swift, /usr/bin/time (Debian package `time`), python3 with Pillow and numpy
# (images are made from ../shared/images; nothing is written to the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=$(nproc)
while [[ $# -gt 0 ]]; do
    case "$1" in
        --threads) THREADS=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
SHARED=${SHARED:-../shared/images}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stylize-memory.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
swift build -c release --product stylize >&2
BIN=$(swift build -c release --show-bin-path)/stylize
STYLE="$SHARED/style/la_muse.jpg"

python3 - "$SHARED" "$WORK" <<'PY'
import sys
from PIL import Image
shared, work = sys.argv[1], sys.argv[2]
photo = Image.open(f"{shared}/content/chicago.jpg").convert("RGB")
for w, h in [(1000, 1000), (2000, 1000), (2000, 2000)]:
    photo.resize((w, h), Image.LANCZOS).save(f"{work}/m{w}x{h}.png")
photo.resize((6000, 4000), Image.LANCZOS).save(f"{work}/big.jpg", quality=92)
Image.open(f"{shared}/content/golden_gate.jpg").convert("RGB").resize((2048, 2048), Image.LANCZOS).save(f"{work}/sq2048.png")
PY
mkdir -p "$WORK/bigdir" && cp "$WORK/big.jpg" "$WORK/bigdir/"

# measure LABEL ARGS...: prints "LABEL | peak MB | seconds"
measure() {
    local label=$1; shift
    /usr/bin/time -f "%M %e" -o "$WORK/time" "$BIN" "$@" --threads "$THREADS" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
    read -r kib secs < "$WORK/time"
    printf "| %s | %.0f MB | %.1f s |\n" "$label" "$(echo "$kib * 1.024 / 1000" | bc -l)" "$secs"
    echo "$kib" > "$WORK/last_kib"
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs; threads: $THREADS; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "## Bytes per pixel (untiled, slope of peak RSS from 1 to 4 MP)"
echo
for model in adain magenta; do
    declare -A kib=()
    for size in 1000x1000 2000x1000 2000x2000; do
        measure "$model $size" "$WORK/m$size.png" "$STYLE" --model "$model" --content-size 0 --style-size 256 \
            --max-memory 100G -o "$WORK/out.png" >/dev/null
        kib[$size]=$(cat "$WORK/last_kib")
    done
    slope=$(echo "(${kib[2000x2000]} - ${kib[1000x1000]}) * 1024 / 3000000" | bc -l)
    printf "%s: %.0f bytes per pixel (peak %s / %s / %s KiB at 1 / 2 / 4 MP)\n" "$model" "$slope" \
        "${kib[1000x1000]}" "${kib[2000x1000]}" "${kib[2000x2000]}"
done
echo
echo "## 6000x4000 JPEG content (default --max-memory 1.5G unless given)"
echo
echo "| command | peak RSS | wall |"
echo "|---|---|---|"
measure "stylize big.jpg style --content-size 0" "$WORK/big.jpg" "$STYLE" --content-size 0 -o "$WORK/a.jpg"
measure "stylize batch (dir with big.jpg) --content-size 0 --max-memory 1G" batch --content "$WORK/bigdir" --style "$STYLE" \
    -o "$WORK/batch" --content-size 0 --max-memory 1G --overwrite
measure "stylize compare big.jpg style --content-size 0" compare "$WORK/big.jpg" "$STYLE" --content-size 0 -o "$WORK/grid.jpg"
measure "stylize big.jpg style --model magenta --content-size 0" "$WORK/big.jpg" "$STYLE" --model magenta --content-size 0 -o "$WORK/m.jpg"
echo
echo "## compare under small budgets (2000x1000 content, cells 768x384; every default variant)"
echo
echo "| command | peak RSS | wall |"
echo "|---|---|---|"
for budget in 120M 150M 200M; do
    for model in adain magenta; do
        measure "stylize compare --model $model --content-size 0 --max-memory $budget" compare "$WORK/m2000x1000.png" "$STYLE" \
            --model "$model" --content-size 0 --max-memory "$budget" -o "$WORK/grid-$model.png"
    done
done
echo
echo "## compare --contrast-sweep under small budgets (same content; a refusal before any run is fine)"
echo
echo "| command | peak RSS | wall |"
echo "|---|---|---|"
for budget in 120M 150M 200M; do
    for model in adain magenta; do
        label="stylize compare --contrast-sweep --model $model --content-size 0 --max-memory $budget"
        if ! /usr/bin/time -f "%M %e" -o "$WORK/time" "$BIN" compare "$WORK/m2000x1000.png" "$STYLE" --contrast-sweep --model "$model" \
            --content-size 0 --max-memory "$budget" -o "$WORK/sweep-$model.png" --threads "$THREADS" >/dev/null 2>"$WORK/err"; then
            grep -q "is too small for this comparison" "$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
            label="$label (refused: too small for this comparison)"
        fi
        read -r kib secs < <(tail -1 "$WORK/time")
        printf "| %s | %.0f MB | %.1f s |\n" "$label" "$(echo "$kib * 1.024 / 1000" | bc -l)" "$secs"
    done
done
echo
echo "## Magenta at 4 MP (2000x2000): untiled vs band sweep (--tile 64 forces bands)"
echo
echo "| run | peak RSS | wall |"
echo "|---|---|---|"
measure "untiled" "$WORK/m2000x2000.png" "$STYLE" --model magenta --content-size 0 --max-memory 100G -o "$WORK/mu.png"
measure "band sweep" "$WORK/m2000x2000.png" "$STYLE" --model magenta --content-size 0 --tile 64 -o "$WORK/ms.png"
echo
echo "## Magenta 2048x2048: band sweep within 400M (and 150M, spilling) vs untiled"
echo
measure "untiled" "$WORK/sq2048.png" "$STYLE" --model magenta --content-size 0 --max-memory 100G -o "$WORK/u.png"
measure "sweep, --max-memory 400M" "$WORK/sq2048.png" "$STYLE" --model magenta --content-size 0 --max-memory 400M -o "$WORK/s.png"
measure "sweep, --max-memory 150M" "$WORK/sq2048.png" "$STYLE" --model magenta --content-size 0 --max-memory 150M -o "$WORK/t.png"
python3 - "$WORK" <<'PY'
import sys
import numpy as np
from PIL import Image
w = sys.argv[1]
u = np.asarray(Image.open(f"{w}/u.png")).astype(int)
for name in ["s", "t"]:
    d = abs(u - np.asarray(Image.open(f"{w}/{name}.png")).astype(int))
    print(f"{name}: mean {d.mean():.4f} levels, max {d.max()} levels")
PY
