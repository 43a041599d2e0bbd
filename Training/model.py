"""The project's default AdaIN model: frozen MobileNet encoder (mobilenet_encoder.py),
AdaIN at its stride-8 output, and a small trained decoder.

Decoder formula (every conv 3x3, reflection padding 1, stride 1):
  f (192, /8) -> conv 192->128, ReLU -> nearest x2
              -> conv 128->96,  ReLU -> nearest x2
              -> conv 96->64,   ReLU -> nearest x2
              -> conv 64->32,   ReLU
              -> conv 32->3,    sigmoid          -> RGB in [0,1]
AdaIN (pytorch-AdaIN convention): per sample and channel, over H*W positions,
  mean = sum x / n, var = sum (x - mean)^2 / (n - 1) + 1e-5, std = sqrt(var),
  adain(c, s) = std_s * (c - mean_c) / std_c + mean_s,
  target = alpha * adain(c, s) + (1 - alpha) * c.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

DECODER_WIDTHS = (128, 96, 64, 32)
ENCODER_CHANNELS = 192
EPS = 1e-5
CONTENT_PAD = 16  # reflection margin added around the content image at inference, cropped after


def mean_std(x, eps=EPS):
    n, c = x.shape[:2]
    flat = x.reshape(n, c, -1)
    mean = flat.mean(dim=2)
    var = flat.var(dim=2, unbiased=True) + eps
    return mean.reshape(n, c, 1, 1), var.sqrt().reshape(n, c, 1, 1)


def adain(content_feat, style_mean, style_std):
    c_mean, c_std = mean_std(content_feat)
    return (content_feat - c_mean) / c_std * style_std + style_mean


class Decoder(nn.Module):
    def __init__(self, widths=DECODER_WIDTHS, in_channels=ENCODER_CHANNELS):
        super().__init__()
        chans = [in_channels, *widths]
        self.convs = nn.ModuleList(nn.Conv2d(a, b, 3) for a, b in zip(chans[:-1], chans[1:]))
        self.out = nn.Conv2d(chans[-1], 3, 3)
        self.n_up = len(widths) - 1

    def forward(self, f):
        for i, conv in enumerate(self.convs):
            f = F.relu(conv(F.pad(f, (1, 1, 1, 1), mode="reflect")))
            if i < self.n_up:
                f = F.interpolate(f, scale_factor=2, mode="nearest")
        return torch.sigmoid(self.out(F.pad(f, (1, 1, 1, 1), mode="reflect")))


def pad_content(x, pad=CONTENT_PAD, multiple=8):
    """Reflection-pad N x 3 x H x W by `pad` on top/left and pad + extra on bottom/right,
    extra = (-(H + 2*pad)) mod multiple, so the padded size is a multiple of 8."""
    h, w = x.shape[-2:]
    eh = (-(h + 2 * pad)) % multiple
    ew = (-(w + 2 * pad)) % multiple
    return F.pad(x, (pad, pad + ew, pad, pad + eh), mode="reflect")


@torch.no_grad()
def stylize(encoder, decoder, content, style, alpha=1.0, pad=CONTENT_PAD, match="moments"):
    """content, style: 1 x 3 x H x W in [0,1]. Returns 1 x 3 x H x W in [0,1].
    match: "moments" (AdaIN, the training target), or "covariance" / "distribution"
    (WCT / EFDM at the same features, swaps.py: the formulas of the Swift engine)."""
    h, w = content.shape[-2:]
    fc = encoder(pad_content(content, pad))
    if match == "moments":
        s_mean, s_std = mean_std(encoder(style))
        t = adain(fc, s_mean, s_std)
        t = alpha * t + (1 - alpha) * fc
    else:
        import swaps
        t = torch.from_numpy(swaps.match(fc, encoder(style), match, alpha=alpha)).float()[None]
    out = decoder(t)
    return out[..., pad:pad + h, pad:pad + w]
