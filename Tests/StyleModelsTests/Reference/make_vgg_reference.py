"""Reference outputs of pytorch-AdaIN's network for the Swift fidelity test.

Builds pytorch-AdaIN's `vgg` (cut at relu4_1, as test.py does) and `decoder`
nn.Sequential definitions, copied below from net.py, at 1/8 of the official widths
with seeded random weights, and runs test.py's `style_transfer` on small generated
images whose sizes are not multiples of 8 (ceil-mode pooling, cropping).

Writes (next to this script):
  vgg_tiny.safetensors        the network in the project's native format (float32)
  vgg_tiny_cases.safetensors  inputs and outputs, NHWC float32:
      content [1,H,W,3], style [1,Hs,Ws,3],
      out_alpha1 / out_alpha05: decoder output cropped to H x W (before any clamping)

Run: python3 Tests/StyleModelsTests/Reference/make_vgg_reference.py
"""
import os
import numpy as np
import torch
import torch.nn as nn
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(1234)
np.random.seed(1234)

E = [3, 8, 8, 16, 16, 32, 32, 32, 32, 64]  # conv0 out, conv1_1 ... conv4_1 (official / 8)

def vgg_sequential(w):
    """pytorch-AdaIN net.py `vgg`, first 31 modules (to relu4_1), widths w."""
    return nn.Sequential(
        nn.Conv2d(3, w[0], (1, 1)),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(w[0], w[1], (3, 3)), nn.ReLU(),  # relu1-1
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(w[1], w[2], (3, 3)), nn.ReLU(),  # relu1-2
        nn.MaxPool2d((2, 2), (2, 2), (0, 0), ceil_mode=True),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(w[2], w[3], (3, 3)), nn.ReLU(),  # relu2-1
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(w[3], w[4], (3, 3)), nn.ReLU(),  # relu2-2
        nn.MaxPool2d((2, 2), (2, 2), (0, 0), ceil_mode=True),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(w[4], w[5], (3, 3)), nn.ReLU(),  # relu3-1
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(w[5], w[6], (3, 3)), nn.ReLU(),  # relu3-2
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(w[6], w[7], (3, 3)), nn.ReLU(),  # relu3-3
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(w[7], w[8], (3, 3)), nn.ReLU(),  # relu3-4
        nn.MaxPool2d((2, 2), (2, 2), (0, 0), ceil_mode=True),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(w[8], w[9], (3, 3)), nn.ReLU(),  # relu4-1
    )

D = [32, 32, 32, 32, 16, 16, 8, 8, 3]  # official / 8 (last stays 3)

def decoder_sequential(cin, d):
    """pytorch-AdaIN net.py `decoder`, widths d."""
    return nn.Sequential(
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(cin, d[0], (3, 3)), nn.ReLU(),
        nn.Upsample(scale_factor=2, mode='nearest'),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(d[0], d[1], (3, 3)), nn.ReLU(),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(d[1], d[2], (3, 3)), nn.ReLU(),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(d[2], d[3], (3, 3)), nn.ReLU(),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(d[3], d[4], (3, 3)), nn.ReLU(),
        nn.Upsample(scale_factor=2, mode='nearest'),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(d[4], d[5], (3, 3)), nn.ReLU(),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(d[5], d[6], (3, 3)), nn.ReLU(),
        nn.Upsample(scale_factor=2, mode='nearest'),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(d[6], d[7], (3, 3)), nn.ReLU(),
        nn.ReflectionPad2d((1, 1, 1, 1)), nn.Conv2d(d[7], d[8], (3, 3)),
    )

# pytorch-AdaIN function.py / test.py, verbatim in substance.
def calc_mean_std(feat, eps=1e-5):
    N, C = feat.size()[:2]
    feat_var = feat.view(N, C, -1).var(dim=2) + eps
    feat_std = feat_var.sqrt().view(N, C, 1, 1)
    feat_mean = feat.view(N, C, -1).mean(dim=2).view(N, C, 1, 1)
    return feat_mean, feat_std

def adaptive_instance_normalization(content_feat, style_feat):
    size = content_feat.size()
    style_mean, style_std = calc_mean_std(style_feat)
    content_mean, content_std = calc_mean_std(content_feat)
    normalized = (content_feat - content_mean.expand(size)) / content_std.expand(size)
    return normalized * style_std.expand(size) + style_mean.expand(size)

def style_transfer(vgg, decoder, content, style, alpha=1.0):
    content_f = vgg(content)
    style_f = vgg(style)
    feat = adaptive_instance_normalization(content_f, style_f)
    feat = feat * alpha + content_f * (1 - alpha)
    return decoder(feat)

vgg = vgg_sequential(E).eval()
decoder = decoder_sequential(E[-1], D).eval()
# Kaiming-scaled weights keep activations alive through ten random layers.
for m in list(vgg) + list(decoder):
    if isinstance(m, nn.Conv2d):
        fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
        nn.init.normal_(m.weight, 0.0, (2.0 / fan_in) ** 0.5)
        nn.init.uniform_(m.bias, -0.1, 0.1)

def smooth_image(h, w, seed):
    g = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros((h, w, 3), np.float32)
    for c in range(3):
        a, b, p = g.uniform(0.05, 0.4, 3)
        img[..., c] = 0.5 + 0.3 * np.sin(a * x + p * 6) * np.cos(b * y) + 0.15 * g.standard_normal((h, w))
    return np.clip(img, 0, 1)

content = smooth_image(43, 58, 1)   # not multiples of 8
style = smooth_image(37, 30, 2)
to_t = lambda a: torch.from_numpy(a.transpose(2, 0, 1)[None].copy())
H, W = content.shape[:2]
with torch.no_grad():
    outs = {}
    for name, alpha in (("out_alpha1", 1.0), ("out_alpha05", 0.5)):
        y = style_transfer(vgg, decoder, to_t(content), to_t(style), alpha)
        outs[name] = y[:, :, :H, :W].numpy().transpose(0, 2, 3, 1).copy()

enc_names = ["conv0", "conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1", "conv3_2", "conv3_3", "conv3_4", "conv4_1"]
enc_convs = [m for m in vgg if isinstance(m, nn.Conv2d)]
dec_convs = [m for m in decoder if isinstance(m, nn.Conv2d)]
tensors = {}
for n, m in zip(enc_names, enc_convs):
    tensors[f"encoder.{n}.weight"] = m.weight.detach().numpy().copy()
    tensors[f"encoder.{n}.bias"] = m.bias.detach().numpy().copy()
for i, m in enumerate(dec_convs):
    tensors[f"decoder.conv{i}.weight"] = m.weight.detach().numpy().copy()
    tensors[f"decoder.conv{i}.bias"] = m.bias.detach().numpy().copy()
meta = {"architecture": "adain-vgg19", "encoder_widths": ",".join(map(str, E)),
        "decoder_widths": ",".join(map(str, D)), "source": "make_vgg_reference.py (random, seed 1234)",
        "format_version": "1"}
save_file(tensors, os.path.join(HERE, "vgg_tiny.safetensors"), metadata=meta)
save_file({"content": content[None].copy(), "style": style[None].copy(), **outs},
          os.path.join(HERE, "vgg_tiny_cases.safetensors"))
print("output range", float(outs["out_alpha1"].min()), float(outs["out_alpha1"].max()))
