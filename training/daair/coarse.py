"""Coarse-to-fine dehazing: the network estimates the haze on a downscaled frame, and a local
affine map from input to output, fitted there, carries the estimate back to full resolution.

Why: haze is a per-pixel affine map of the scene, I = J t + A (1 - t), whose coefficients
(1 / t and -A (1 - t) / t) change slowly across the picture. The network learnt it on 128-pixel
crops and removes much less haze from a large frame than from the same frame at about 256 px
(hazy training photos, `training/coarse_study.py --images 48`: 1008 px long, +4.6 dB at full size
and +6.7 dB through a 252 px copy; 480 px long, +7.0 dB at full size and +8.6 dB through a 240 px
copy). Fitting J ~ a I + b over small windows of the coarse pair and applying the upsampled (a, b)
to the full-resolution input keeps the input's detail and the coarse estimate of the haze: a
guided-filter style transfer.

The Java engine (`CoarseDehaze.java`) implements the same steps; both follow the definitions here:
- factor f = ceil(max(h, w) / side), so the coarse frame's longer side is at most side (and
  more than side / 2); f == 1 (frames at most side long): the network runs on the frame itself;
- downscale: the mean of each f x f cell, cells past the edge repeat the last row / column;
- fit, per channel on the coarse grid, with box means over (2 r + 1)^2 (edges repeated):
  a = cov(I, J) / (var(I) + eps), b = mean(J) - a mean(I); then a and b are box-averaged again;
- upsample a and b bilinearly, cell centres at ((i + 0.5) f - 0.5), clamped at the edges;
- output = clip(a I + b, 0, 1) at full resolution;
- the guard (session 10; off by default, as `engine.coarse_guard`): the network also runs on the
  input's central n x n square at native resolution (n = min(side, h, w)); gap = mean luma of the output's central square minus the native
  run's; the output becomes out (1 - g) + calibrate(out) g, g = clip((-0.08 - gap) / 0.08, 0, 1),
  where calibrate maps each channel by the least-squares affine fit from the output's central
  square to the native run's, clipped to [0, 1]. On flat overhead footage the copy can darken the
  frame far more than the network does at native resolution (3-8 dB lost); photos rarely meet it.
  But under a camera's noise the native run dehazes less than the copy, and the guard then costs
  noisy photos 1.3-1.4 dB (README, "Dehazing large frames"), so it is an option, not the default.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

SIDE = 256      # the coarse frame's longer side is at most this (and more than half of it)
RADIUS = 4      # fitting window on the coarse grid: (2 r + 1)^2 cells
EPS = 1e-4      # regularises the slope where the coarse input is flat
# The guard: on flat overhead footage (asphalt) the copy can darken the frame far more than the
# network does at native resolution, and then loses 3-8 dB; on photos it rarely does
# (coarse_footage_study.py: `gap` below -0.12 on 11 of 16 clip frames, 1 of 24 photos).
# The guard's gap (luma, copy path minus native run; engine.coarse_guard_gap): the calibrated copy
# starts to take over where the copy path is GUARD_GAP darker, and has taken over at twice that.
GUARD_GAP = 0.08


def factor(h: int, w: int, side: int = SIDE) -> int:
    return max(1, -(-max(h, w) // side))


def downscale(img: np.ndarray, f: int) -> np.ndarray:
    """HxWxC -> ceil(H/f) x ceil(W/f) x C cell means (edge rows and columns repeated)."""
    h, w, c = img.shape
    hs, ws = -(-h // f), -(-w // f)
    padded = np.pad(img, ((0, hs * f - h), (0, ws * f - w), (0, 0)), mode="edge")
    return padded.reshape(hs, f, ws, f, c).mean(axis=(1, 3), dtype=np.float64).astype(np.float32)


def box(x: np.ndarray, r: int) -> np.ndarray:
    """Mean over a (2 r + 1)^2 window per channel, edges repeated (separable, float64 sums)."""
    x = x.astype(np.float64)
    for axis in (0, 1):
        n = x.shape[axis]
        idx = np.clip(np.arange(-r, n + r), 0, n - 1)
        p = np.take(x, idx, axis=axis)
        cs = np.cumsum(p, axis=axis)
        cs = np.concatenate([np.zeros_like(np.take(cs, [0], axis=axis)), cs], axis=axis)
        x = (np.take(cs, np.arange(2 * r + 1, n + 2 * r + 1), axis=axis)
             - np.take(cs, np.arange(0, n), axis=axis)) / (2 * r + 1)
    return x


def upsample(x: np.ndarray, h: int, w: int, f: int) -> np.ndarray:
    """Bilinear from the coarse grid to h x w, cell i centred at (i + 0.5) f - 0.5."""
    def axis_weights(n_out, n_in):
        u = np.clip((np.arange(n_out) + 0.5) / f - 0.5, 0, n_in - 1)
        i0 = np.floor(u).astype(int)
        i1 = np.minimum(i0 + 1, n_in - 1)
        return i0, i1, (u - i0)
    y0, y1, wy = axis_weights(h, x.shape[0])
    x0, x1, wx = axis_weights(w, x.shape[1])
    wy = wy[:, None, None]
    wx = wx[None, :, None]
    top = x[y0][:, x0] * (1 - wx) + x[y0][:, x1] * wx
    bottom = x[y1][:, x0] * (1 - wx) + x[y1][:, x1] * wx
    return top * (1 - wy) + bottom * wy


def transfer(coarse_in: np.ndarray, coarse_out: np.ndarray, full_in: np.ndarray, f: int,
             r: int = RADIUS, eps: float = EPS) -> np.ndarray:
    """The local affine map coarse_in -> coarse_out, applied to full_in (HxWx3 float32)."""
    ci = coarse_in.astype(np.float64)
    co = coarse_out.astype(np.float64)
    mi, mo = box(ci, r), box(co, r)
    cov = box(ci * co, r) - mi * mo
    var = box(ci * ci, r) - mi * mi
    a = cov / (var + eps)
    b = mo - a * mi
    a, b = box(a, r), box(b, r)
    h, w = full_in.shape[:2]
    out = upsample(a, h, w, f) * full_in + upsample(b, h, w, f)
    return np.clip(out, 0, 1).astype(np.float32)


def central_box(h: int, w: int, side: int) -> tuple:
    """(y0, x0, n): the central n x n square, n = min(side, h, w), where the guard compares."""
    n = min(side, h, w)
    return (h - n) // 2, (w - n) // 2, n


def luma_mean(img: np.ndarray) -> float:
    return float((img.astype(np.float64) @ np.array([0.299, 0.587, 0.114])).mean())


def calibrate(out: np.ndarray, out_crop: np.ndarray, native_crop: np.ndarray) -> np.ndarray:
    """OUT mapped per channel by the least-squares affine fit that takes OUT_CROP (OUT's central
    square) to NATIVE_CROP (the network's own output on that square of the input): the copy's
    overall bias corrected from one run of the network at native resolution."""
    res = np.empty_like(out)
    for c in range(3):
        x = out_crop[..., c].astype(np.float64).ravel()
        y = native_crop[..., c].astype(np.float64).ravel()
        mx, my = x.mean(), y.mean()
        a = ((x - mx) * (y - my)).mean() / max(((x - mx) ** 2).mean(), 1e-6)
        res[..., c] = a * out[..., c] + (my - a * mx)
    return np.clip(res, 0, 1).astype(np.float32)


def guard_weight(gap: float, start: float = GUARD_GAP) -> float:
    """Share of the calibrated copy in the output: 0 while the copy path's output is at most START
    darker than the native run's (luma mean of the central square), rising linearly to 1 at twice
    START. A ramp, not a step, so frames of a video near the threshold do not toggle."""
    return float(np.clip((-start - gap) / start, 0.0, 1.0))


def native_gap(run: Callable[[np.ndarray], np.ndarray], img: np.ndarray, out: np.ndarray, side: int = SIDE):
    """(gap, native, out's central square): the network run at native resolution on IMG's central
    square, and how much darker OUT (the copy path's output) is there in mean luma (negative:
    darker)."""
    y0, x0, n = central_box(img.shape[0], img.shape[1], side)
    out_crop = out[y0:y0 + n, x0:x0 + n]
    native = np.clip(run(img[y0:y0 + n, x0:x0 + n]), 0, 1)
    return luma_mean(out_crop) - luma_mean(native), native, out_crop


def restore(run: Callable[[np.ndarray], np.ndarray], img: np.ndarray, side: int = SIDE,
            guard: bool = False, guard_gap: float = GUARD_GAP) -> np.ndarray:
    """run (HxWx3 -> HxWx3, the dehaze network) applied coarse-to-fine to img. With GUARD, the
    network also runs on the central square at native resolution; where the copy path's output is
    much darker there (by GUARD_GAP and more, see guard_weight), its output is pulled toward the
    calibrated copy."""
    f = factor(img.shape[0], img.shape[1], side)
    if f == 1:
        return run(img)
    small = downscale(img, f)
    out = transfer(small, np.clip(run(small), 0, 1), img, f)
    if not guard:
        return out
    gap, native, out_crop = native_gap(run, img, out, side)
    wgt = guard_weight(gap, guard_gap)
    if wgt == 0:
        return out
    return guarded(out, calibrate(out, out_crop, native), wgt)


def guarded(out: np.ndarray, calibrated: np.ndarray, weight: float) -> np.ndarray:
    """The guard's output: the copy path's OUT pulled toward its CALIBRATED version by WEIGHT
    (guard_weight)."""
    return (out * (1 - weight) + calibrated * weight).astype(np.float32)
