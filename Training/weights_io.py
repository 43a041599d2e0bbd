"""Map between the PyTorch modules and the safetensors tensor names of
Training/ARCHITECTURE.md, and load an exported file back (float16 widened to float32,
exactly as the Swift engine does)."""
import torch
from safetensors.torch import load_file, safe_open

from mobilenet_encoder import MobileNetEncoder, layers_from_tensors
from model import Decoder


def encoder_tensors(encoder: MobileNetEncoder):
    return {f"encoder.{n}": p.detach().clone() for n, p in encoder.named_parameters()}


def decoder_tensors(decoder: Decoder):
    out = {}
    for n, p in decoder.state_dict().items():
        if n.startswith("convs."):
            _, i, kind = n.split(".")
            out[f"decoder.conv{i}.{kind}"] = p.detach().clone()
        else:
            out[f"decoder.{n}"] = p.detach().clone()
    return out


def load_exported(path):
    """Returns (encoder, decoder, metadata, population mean, population var) with the
    file's float16 weights widened to float32."""
    t = {k: v.float() for k, v in load_file(str(path)).items()}
    with safe_open(str(path), "pt") as f:
        meta = f.metadata() or {}
    widths = tuple(int(w) for w in meta["decoder_widths"].split(","))
    enc = MobileNetEncoder(layers=layers_from_tensors(t))
    dec = Decoder(widths=widths, in_channels=int(meta["encoder_channels"]))
    sd = {}
    for n in dec.state_dict():
        if n.startswith("convs."):
            _, i, kind = n.split(".")
            sd[n] = t[f"decoder.conv{i}.{kind}"]
        else:
            sd[n] = t[f"decoder.{n}"]
    dec.load_state_dict(sd)
    return enc.eval(), dec.eval(), meta, t["stats.population_mean"], t["stats.population_var"]
