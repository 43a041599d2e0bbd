#!/usr/bin/env python3
"""Warping error of a stylized clip (Lai et al. 2018, "Learning Blind Video Temporal
Consistency", section 5): how much each stylized frame differs from the previous stylized
frame carried along the input's motion, so that frame-to-frame changes the motion explains
do not count, and blending frames (ghosting) does not score well the way a plain frame
difference would let it.

    E_warp = 1/(T-1) * sum over t = 2..T of  sum_p M_t(p) ||O_t(p) - W(O_{t-1})(p)||^2 / sum_p M_t(p)

O_t: stylized frame t, RGB on [0, 1]; ||.||^2 summed over R, G, B. W(O_{t-1}): O_{t-1} warped
to frame t by the backward optical flow of the input frames (t -> t-1), bilinear. M_t: 1
where the flow is valid: it lands inside the frame and passes the forward-backward check of
Ruder et al. 2016 (|f_b(p) + f_f(p + f_b(p))|^2 <= 0.01 (|f_b|^2 + |f_f|^2) + 0.5), i.e. p is
not occluded. Flow: OpenCV's DIS (medium preset) on the input frames in grey, at the stylized
frames' size. The same warp applied to the input frames gives the input's own warping error
(what the flow leaves unexplained: a floor for any stylization).

    python3 Benchmarks/video/warping_error.py INPUT.mp4 STYLIZED [--frames N]

STYLIZED: a video file or a PNG pattern (frames/%05d.png). `--blend B` first blends the
stylized frames over time (O'_t = (1 - B) O_t + B O'_{t-1}: ghosting) to show what each
measure makes of it; "frame_difference" is the plain mean |O_t - O_{t-1}| (the flicker
figure `stylize video` reports) for comparison, and "lag" the mean |O'_t - O_t| (what the
blend moved the frames away from their own stylization: 0 without --blend). On slow motion
(under a pixel a frame) the warp cannot tell a blended frame from a stable one, so blending
lowers the warping error as much as the frame difference: the lag is what shows it. Prints one JSON line. Needs
opencv-python-headless and numpy (benchmark only; the tests do not use this).
"""
import argparse
import json

import cv2
import numpy as np


def frames(source, limit=None):
    capture = cv2.VideoCapture(source)
    n = 0
    while limit is None or n < limit:
        ok, frame = capture.read()
        if not ok:
            break
        yield frame
        n += 1
    capture.release()


def warping_error(input_source, stylized_source, limit=None, blend=0.0):
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    prev_in = prev_out = None
    errors, input_errors, valid, differences, lags = [], [], [], [], []
    blended = None
    for out, raw in zip(frames(stylized_source, limit), frames(input_source, limit)):
        h, w = out.shape[:2]
        inp = cv2.resize(raw, (w, h), interpolation=cv2.INTER_AREA) if raw.shape[:2] != (h, w) else raw
        out_f = out.astype(np.float32) / 255
        if blend > 0:
            blended = out_f if blended is None else (1 - blend) * out_f + blend * blended
            lags.append(float(np.abs(blended - out_f).mean()))
            out_f = blended
        in_f = inp.astype(np.float32) / 255
        grey = cv2.cvtColor(inp, cv2.COLOR_BGR2GRAY)
        if prev_in is not None:
            back = dis.calc(grey, prev_in[1], None)      # for each pixel of t: where it was in t-1
            fwd = dis.calc(prev_in[1], grey, None)
            gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
            mx, my = gx + back[..., 0], gy + back[..., 1]
            fwd_at = cv2.remap(fwd, mx, my, cv2.INTER_LINEAR)
            sum_flow = back + fwd_at
            consistent = (sum_flow ** 2).sum(-1) <= 0.01 * ((back ** 2).sum(-1) + (fwd_at ** 2).sum(-1)) + 0.5
            inside = (mx >= 0) & (mx <= w - 1) & (my >= 0) & (my <= h - 1)
            mask = (consistent & inside).astype(np.float32)
            count = max(mask.sum(), 1.0)
            warped_out = cv2.remap(prev_out, mx, my, cv2.INTER_LINEAR)
            warped_in = cv2.remap(prev_in[0], mx, my, cv2.INTER_LINEAR)
            errors.append(float((mask * ((out_f - warped_out) ** 2).sum(-1)).sum() / count))
            input_errors.append(float((mask * ((in_f - warped_in) ** 2).sum(-1)).sum() / count))
            valid.append(float(mask.mean()))
            differences.append(float(np.abs(out_f - prev_out).mean()))
        prev_in, prev_out = (in_f, grey), out_f
    return {
        "frames": len(errors) + 1,
        "warping_error": float(np.mean(errors)) if errors else None,
        "input_warping_error": float(np.mean(input_errors)) if input_errors else None,
        "valid_fraction": float(np.mean(valid)) if valid else None,
        "frame_difference": float(np.mean(differences)) if differences else None,
        "blend": blend,
        "lag": float(np.mean(lags)) if lags else 0.0,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("input")
    p.add_argument("stylized")
    p.add_argument("--frames", type=int)
    p.add_argument("--blend", type=float, default=0.0)
    a = p.parse_args()
    print(json.dumps(warping_error(a.input, a.stylized, a.frames, a.blend)))


if __name__ == "__main__":
    main()
