#!/usr/bin/env bash
# --precision bf16 against f32 on the sample images (level differences, whole-command time),
# `stylize compare` and, with --clip, the flicker figures of `stylize video` at both
# precisions. One command regenerates the precision table of BENCHMARKS.md.
#
#   Benchmarks/precision.sh [--threads 2] [--repeats 5] [--clip CLIP.mp4]
#
# Builds the release stylize, then runs Benchmarks/precision.py (see its doc). The report goes
# to standard output and to Benchmarks/results/<date>-precision.md. Needs a Python (PYTHON,
# default python3) with numpy and Pillow (Benchmarks/requirements.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

swift build -c release --product stylize >&2
BIN=$(swift build -c release --show-bin-path)
exec "$PYTHON" Benchmarks/precision.py --bin "$BIN" "$@"
