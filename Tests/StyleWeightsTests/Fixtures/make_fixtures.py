#!/usr/bin/env python3
"""Writes the fixtures the StyleWeights tests read (this folder).

Run from anywhere with the project's training Python:
    python3 Tests/StyleWeightsTests/Fixtures/make_fixtures.py

Everything is seeded, so rerunning gives the same tensor values (the zip archives may
differ in timestamps only). The Swift tests never run Python; they read what this wrote.

Files:
- st_f32.safetensors, st_f16.safetensors, st_bf16.safetensors: written by the reference
  `safetensors` package (same tensor names, three dtypes, metadata in the f32 file).
  st_expected.json holds every value as the float32 bit pattern (f16/bf16 widened
  exactly), so the Swift reader is checked against numbers, not against itself.
- adain_vgg_legacy.pth / adain_decoder_legacy.pth: pytorch-AdaIN's exact `vgg` and
  `decoder` nn.Sequential (net.py), widths divided by 32, seeded random weights, saved with
  torch.save(..., _use_new_zipfile_serialization=False): PyTorch's legacy (pre-1.6) format,
  the format of the official release files.
- adain_vgg_zip.pth / adain_decoder_zip.pth: the same state dicts in the default zip format.
- adain_expected.safetensors: what the importer must produce from those files (native
  names, OIHW float32, metadata), mapped here in Python independently of the Swift code.
- views_legacy.pth / views_zip.pth (and *_p4.pth, pickle protocol 4): a checkpoint {'state_dict': ..., 'epoch': 7, ...} whose
  tensors are views (storage offsets, non-contiguous strides, shared storages), float16,
  float64, a 0-d scalar; views_expected.safetensors holds their values as float32.
"""
import collections
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn
from safetensors.numpy import save_file as np_save_file
from safetensors.torch import save_file as torch_save_file

HERE = os.path.dirname(os.path.abspath(__file__))
DIVISOR = 32  # full widths 64,128,256,512 become 2,4,8,16


def vgg_definition(w64, w128, w256, w512):
    """pytorch-AdaIN net.py `vgg`, verbatim except for the widths."""
    return nn.Sequential(
        nn.Conv2d(3, 3, (1, 1)),
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(3, w64, (3, 3)),
        nn.ReLU(),  # relu1-1
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w64, w64, (3, 3)),
        nn.ReLU(),  # relu1-2
        nn.MaxPool2d((2, 2), (2, 2), (0, 0), ceil_mode=True),
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w64, w128, (3, 3)),
        nn.ReLU(),  # relu2-1
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w128, w128, (3, 3)),
        nn.ReLU(),  # relu2-2
        nn.MaxPool2d((2, 2), (2, 2), (0, 0), ceil_mode=True),
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w128, w256, (3, 3)),
        nn.ReLU(),  # relu3-1
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w256, w256, (3, 3)),
        nn.ReLU(),  # relu3-2
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w256, w256, (3, 3)),
        nn.ReLU(),  # relu3-3
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w256, w256, (3, 3)),
        nn.ReLU(),  # relu3-4
        nn.MaxPool2d((2, 2), (2, 2), (0, 0), ceil_mode=True),
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w256, w512, (3, 3)),
        nn.ReLU(),  # relu4-1, this is the last layer used
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w512, w512, (3, 3)),
        nn.ReLU(),  # relu4-2
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w512, w512, (3, 3)),
        nn.ReLU(),  # relu4-3
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w512, w512, (3, 3)),
        nn.ReLU(),  # relu4-4
        nn.MaxPool2d((2, 2), (2, 2), (0, 0), ceil_mode=True),
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w512, w512, (3, 3)),
        nn.ReLU(),  # relu5-1
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w512, w512, (3, 3)),
        nn.ReLU(),  # relu5-2
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w512, w512, (3, 3)),
        nn.ReLU(),  # relu5-3
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w512, w512, (3, 3)),
        nn.ReLU(),  # relu5-4
    )


def decoder_definition(w64, w128, w256, w512):
    """pytorch-AdaIN net.py `decoder`, verbatim except for the widths."""
    return nn.Sequential(
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w512, w256, (3, 3)),
        nn.ReLU(),
        nn.Upsample(scale_factor=2, mode='nearest'),
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w256, w256, (3, 3)),
        nn.ReLU(),
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w256, w256, (3, 3)),
        nn.ReLU(),
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w256, w256, (3, 3)),
        nn.ReLU(),
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w256, w128, (3, 3)),
        nn.ReLU(),
        nn.Upsample(scale_factor=2, mode='nearest'),
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w128, w128, (3, 3)),
        nn.ReLU(),
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w128, w64, (3, 3)),
        nn.ReLU(),
        nn.Upsample(scale_factor=2, mode='nearest'),
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w64, w64, (3, 3)),
        nn.ReLU(),
        nn.ReflectionPad2d((1, 1, 1, 1)),
        nn.Conv2d(w64, 3, (3, 3)),
    )


# The mapping, written out here independently of the Swift importer.
ENCODER_MAP = [(0, "conv0"), (2, "conv1_1"), (5, "conv1_2"), (9, "conv2_1"), (12, "conv2_2"),
               (16, "conv3_1"), (19, "conv3_2"), (22, "conv3_3"), (25, "conv3_4"), (29, "conv4_1")]
DECODER_MAP = [(i, "conv%d" % k) for k, i in enumerate([1, 5, 8, 11, 14, 18, 21, 25, 28])]


def f32_bits(t):
    return [int(b) for b in t.detach().to(torch.float32).contiguous().numpy().view(np.uint32).reshape(-1)]


def write_safetensors_fixtures():
    g = torch.Generator().manual_seed(1)
    tensors = collections.OrderedDict()
    tensors["conv.weight"] = torch.randn(4, 3, 3, 3, generator=g)
    tensors["conv.bias"] = torch.randn(4, generator=g)
    tensors["scalar"] = torch.tensor(-2.75)
    tensors["empty"] = torch.zeros(0, 5)
    # Values that exercise rounding, subnormals and the extremes of float16.
    tensors["edge"] = torch.tensor([0.0, -0.0, 1.0, -1.5, 65504.0, 6.1e-5, 5.96e-8, 1e-3, 3.14159265, 1e30])
    tensors["z.last"] = torch.randn(2, 3, generator=g) * 100
    meta = {"architecture": "test", "note": "quotes \" and \\ and unicode \u00e9"}
    torch_save_file(tensors, os.path.join(HERE, "st_f32.safetensors"), metadata=meta)
    torch_save_file({k: v.half() for k, v in tensors.items()}, os.path.join(HERE, "st_f16.safetensors"))
    torch_save_file({k: v.bfloat16() for k, v in tensors.items()}, os.path.join(HERE, "st_bf16.safetensors"))
    expected = {"metadata": meta, "tensors": {}}
    for k, v in tensors.items():
        expected["tensors"][k] = {
            "shape": list(v.shape),
            "f32": f32_bits(v),
            "f16": f32_bits(v.half().float()),
            "bf16": f32_bits(v.bfloat16().float()),
        }
    with open(os.path.join(HERE, "st_expected.json"), "w") as f:
        json.dump(expected, f, indent=0, sort_keys=True)


def write_adain_fixtures():
    torch.manual_seed(5)
    widths = [w // DIVISOR for w in (64, 128, 256, 512)]
    vgg = vgg_definition(*widths)
    decoder = decoder_definition(*widths)
    # Give the biases visible values (PyTorch's default init makes them tiny).
    with torch.no_grad():
        for m in list(vgg) + list(decoder):
            if isinstance(m, nn.Conv2d):
                m.bias.uniform_(-0.5, 0.5)
    vsd, dsd = vgg.state_dict(), decoder.state_dict()
    torch.save(vsd, os.path.join(HERE, "adain_vgg_legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save(dsd, os.path.join(HERE, "adain_decoder_legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save(vsd, os.path.join(HERE, "adain_vgg_zip.pth"))
    torch.save(dsd, os.path.join(HERE, "adain_decoder_zip.pth"))

    native = {}
    for idx, name in ENCODER_MAP:
        native["encoder.%s.weight" % name] = vsd["%d.weight" % idx].contiguous()
        native["encoder.%s.bias" % name] = vsd["%d.bias" % idx].contiguous()
    for idx, name in DECODER_MAP:
        native["decoder.%s.weight" % name] = dsd["%d.weight" % idx].contiguous()
        native["decoder.%s.bias" % name] = dsd["%d.bias" % idx].contiguous()
    enc_widths = [vsd["%d.weight" % i].shape[0] for i, _ in ENCODER_MAP[1:]]
    dec_widths = [dsd["%d.weight" % i].shape[0] for i, _ in DECODER_MAP]
    meta = {
        "architecture": "adain-vgg19",
        "encoder_widths": ",".join(map(str, enc_widths)),
        "decoder_widths": ",".join(map(str, dec_widths)),
        "format_version": "1",
    }
    torch_save_file(native, os.path.join(HERE, "adain_expected.safetensors"), metadata=meta)


def write_view_fixtures():
    g = torch.Generator().manual_seed(9)
    base = torch.randn(20, generator=g)
    grid = torch.randn(4, 6, generator=g)
    sd = collections.OrderedDict()
    sd["contiguous"] = torch.randn(2, 3, generator=g)
    sd["transposed"] = torch.randn(3, 4, generator=g).t()          # strides (1, 4)
    sd["base"] = base                                                 # shares storage with "offset"
    sd["offset"] = base[5:11].view(2, 3)                              # storage offset 5
    sd["strided"] = grid[::2, 1::2]                                   # strides (12, 2), offset 1
    sd["half"] = torch.randn(2, 2, generator=g).half()
    sd["double"] = torch.randn(3, generator=g).double() * 1e-3
    sd["scalar"] = torch.tensor(3.5)
    sd["expanded"] = torch.randn(3, generator=g).view(1, 3).expand(2, 3)  # stride 0
    sd["param"] = nn.Parameter(torch.randn(2, generator=g))           # _rebuild_parameter
    checkpoint = {"state_dict": sd, "epoch": 7, "name": "views", "lr": 1e-4, "flags": [True, False, None]}
    torch.save(checkpoint, os.path.join(HERE, "views_legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save(checkpoint, os.path.join(HERE, "views_zip.pth"))
    # Pickle protocol 4 (FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE) in both containers.
    torch.save(checkpoint, os.path.join(HERE, "views_legacy_p4.pth"), _use_new_zipfile_serialization=False, pickle_protocol=4)
    torch.save(checkpoint, os.path.join(HERE, "views_zip_p4.pth"), pickle_protocol=4)
    np_save_file({k: v.detach().float().contiguous().numpy() for k, v in sd.items()},
                 os.path.join(HERE, "views_expected.safetensors"))


if __name__ == "__main__":
    os.makedirs(HERE, exist_ok=True)
    write_safetensors_fixtures()
    write_adain_fixtures()
    write_view_fixtures()
    total = 0
    for name in sorted(os.listdir(HERE)):
        if name.endswith(".py"):
            continue
        size = os.path.getsize(os.path.join(HERE, name))
        total += size
        print("%8d  %s" % (size, name))
    print("%8d  total" % total)
