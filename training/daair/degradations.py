"""Seeded synthetic degradations. Every function takes a clean float32 HxWx3 image in [0, 1] and a
numpy Generator, and returns (degraded image in [0, 1] quantised to 8 bits, degradation label).

Kept deliberately general (random strengths, directions and shapes) because quality is finally
judged on images and footage that are not in the training or validation folders.
"""
from __future__ import annotations

import math
from typing import Callable, Dict, Tuple

import numpy as np
from scipy import ndimage

from .model import DEGRADATIONS_5

LABELS: Dict[str, int] = {name: i for i, name in enumerate(DEGRADATIONS_5)}


def quantise(img: np.ndarray) -> np.ndarray:
    """Clip to [0, 1] and round to the 8-bit grid, as a camera or codec would deliver it."""
    return (np.round(np.clip(img, 0.0, 1.0) * 255.0) / 255.0).astype(np.float32)


def add_sensor_noise(img: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """IMG plus Gaussian noise of SIGMA 8-bit steps, clipped and rounded as a sensor delivers it:
    the light noise every camera adds on top of whatever else degrades the picture."""
    return quantise(img + rng.standard_normal(img.shape).astype(np.float32) * (sigma / 255.0))


# ---------------------------------------------------------------------------------------------
def add_noise(img: np.ndarray, rng: np.random.Generator, sigma: float | None = None):
    """Additive white Gaussian noise, sigma uniform in [0, 55] (on the 0..255 scale)."""
    if sigma is None:
        sigma = rng.uniform(0.0, 55.0)
    noisy = img + rng.standard_normal(img.shape).astype(np.float32) * (sigma / 255.0)
    return quantise(noisy), LABELS["denoise"]


# ---------------------------------------------------------------------------------------------
def depth_proxy(h: int, w: int, img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A plausible relative depth in [0, 1] without a depth sensor: outdoor scenes recede towards
    the top of the frame (a tilted ground plane with a random horizon), plus a smooth random
    field for scene layout, plus a little of the bright/desaturated cue (sky and distant objects
    are brighter and greyer)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    tilt = rng.uniform(-0.3, 0.3)
    horizon = rng.uniform(-0.2, 0.6)
    ramp = (1.0 - yy / max(h - 1, 1)) + tilt * (xx / max(w - 1, 1) - 0.5)
    ramp = np.clip((ramp - horizon * 0.5) / (1.0 - horizon * 0.5 + 1e-6), 0.0, 1.0)
    field = rng.standard_normal((max(h // 16, 2), max(w // 16, 2))).astype(np.float32)
    field = ndimage.zoom(field, (h / field.shape[0], w / field.shape[1]), order=3)[:h, :w]
    field = ndimage.gaussian_filter(field, sigma=max(h, w) / 16.0)
    field = (field - field.min()) / (field.max() - field.min() + 1e-6)
    lum = img.mean(axis=2)
    sat = img.max(axis=2) - img.min(axis=2)
    cue = ndimage.gaussian_filter(np.clip(lum - sat, 0, 1), sigma=max(h, w) / 64.0)
    wr, wf, wc = rng.dirichlet((3.0, 1.5, 1.0))
    d = wr * ramp + wf * field + wc * cue
    d = (d - d.min()) / (d.max() - d.min() + 1e-6)
    return d.astype(np.float32)


def add_haze(img: np.ndarray, rng: np.random.Generator, beta: float | None = None):
    """Atmospheric scattering I = J t + A (1 - t), t = exp(-beta d)."""
    h, w, _ = img.shape
    d = depth_proxy(h, w, img, rng)
    near = rng.uniform(0.0, 0.35)                 # even the nearest objects sit in some haze
    d = near + (1.0 - near) * d
    if beta is None:
        beta = rng.uniform(0.3, 2.2)
    t = np.exp(-beta * d)[..., None]
    a = rng.uniform(0.7, 1.0)
    airlight = np.clip(a + rng.uniform(-0.04, 0.04, size=3), 0.5, 1.0).astype(np.float32)
    return quantise(img * t + airlight * (1.0 - t)), LABELS["dehaze"]


# ---------------------------------------------------------------------------------------------
def _line_kernel(length: float, angle_deg: float, width: float) -> np.ndarray:
    """A soft line segment (a streak's motion path) of given length and angle from vertical."""
    size = int(math.ceil(length)) | 1
    k = np.zeros((size, size), np.float32)
    c = size // 2
    theta = math.radians(angle_deg)
    dy, dx = math.cos(theta), math.sin(theta)
    for s in np.linspace(-length / 2, length / 2, int(length * 2) + 1):
        y, x = c + s * dy, c + s * dx
        y0, x0 = int(math.floor(y)), int(math.floor(x))
        fy, fx = y - y0, x - x0
        for yy, xx, wgt in ((y0, x0, (1 - fy) * (1 - fx)), (y0 + 1, x0, fy * (1 - fx)),
                            (y0, x0 + 1, (1 - fy) * fx), (y0 + 1, x0 + 1, fy * fx)):
            if 0 <= yy < size and 0 <= xx < size:
                k[yy, xx] += wgt
    if width > 0:
        k = ndimage.gaussian_filter(k, sigma=width)
    return k / k.max()


def rain_layer(h: int, w: int, rng: np.random.Generator, angle: float | None = None) -> np.ndarray:
    """Rain streaks like Rain100L's: thin, near-vertical, 10-60 px long, one main direction per
    image, additive and achromatic. One to two layers of different length and density."""
    if angle is None:
        angle = rng.uniform(-20.0, 20.0)
    layer = np.zeros((h, w), np.float32)
    for _ in range(rng.integers(1, 3)):
        density = rng.uniform(0.0002, 0.002)
        seeds = (rng.random((h, w)) < density).astype(np.float32) * rng.uniform(0.15, 1.0, (h, w)).astype(np.float32)
        length = rng.uniform(20.0, 80.0)
        k = _line_kernel(length, angle + rng.uniform(-3, 3), rng.uniform(0.4, 1.2))
        layer += ndimage.convolve(seeds, k, mode="wrap")
    peak = rng.uniform(0.25, 0.7)
    layer = np.clip(layer, 0.0, 1.0) * peak
    return layer


def add_rain(img: np.ndarray, rng: np.random.Generator):
    h, w, _ = img.shape
    streaks = rain_layer(h, w, rng)[..., None]
    return quantise(img + streaks), LABELS["derain"]


# ---------------------------------------------------------------------------------------------
def trajectory_kernel(rng: np.random.Generator, max_len: float | None = None) -> np.ndarray:
    """A random camera-shake trajectory (random walk with inertia) rasterised to a PSF."""
    length = rng.uniform(5.0, 21.0) if max_len is None else max_len
    n = 64
    pos = np.zeros((n, 2))
    vel = rng.standard_normal(2)
    vel /= np.linalg.norm(vel) + 1e-8
    curvature = rng.uniform(0.0, 0.6)
    for i in range(1, n):
        vel = vel + curvature * rng.standard_normal(2) * 0.5
        vel /= np.linalg.norm(vel) + 1e-8
        pos[i] = pos[i - 1] + vel
    pos -= pos.mean(axis=0)
    extent = np.abs(pos).max() + 1e-8
    pos *= (length / 2) / extent
    size = int(math.ceil(length)) | 1
    size += 2
    k = np.zeros((size, size), np.float32)
    c = size // 2
    for y, x in pos:
        y, x = y + c, x + c
        y0, x0 = int(math.floor(y)), int(math.floor(x))
        fy, fx = y - y0, x - x0
        for yy, xx, wgt in ((y0, x0, (1 - fy) * (1 - fx)), (y0 + 1, x0, fy * (1 - fx)),
                            (y0, x0 + 1, (1 - fy) * fx), (y0 + 1, x0 + 1, fy * fx)):
            if 0 <= yy < size and 0 <= xx < size:
                k[yy, xx] += wgt
    return k / k.sum()


def add_motion_blur(img: np.ndarray, rng: np.random.Generator):
    k = trajectory_kernel(rng)
    out = np.stack([ndimage.convolve(img[..., c], k, mode="reflect") for c in range(3)], axis=2)
    out = out + rng.standard_normal(out.shape).astype(np.float32) * (rng.uniform(0.0, 2.0) / 255.0)
    return quantise(out), LABELS["deblur"]


# ---------------------------------------------------------------------------------------------
def add_low_light(img: np.ndarray, rng: np.random.Generator, photons_range=(30.0, 400.0)):
    """Exposure drop in linear light plus a gamma change, then Poisson-Gaussian sensor noise.
    PHOTONS_RANGE: photons at full scale (lower = noisier); training may widen it (camera.py)."""
    lin = np.power(img, 2.2)
    exposure = rng.uniform(0.03, 0.3)
    lin = lin * exposure
    photons = rng.uniform(*photons_range)         # photons at full scale: lower = noisier
    noisy = rng.poisson(lin * photons).astype(np.float32) / photons
    noisy = noisy + rng.standard_normal(img.shape).astype(np.float32) * rng.uniform(0.0, 0.01)
    gamma = rng.uniform(1.8, 2.6)                 # camera's tone curve differs from the scene's
    out = np.power(np.clip(noisy, 0.0, 1.0), 1.0 / gamma)
    return quantise(out), LABELS["lowlight"]


DEGRADE: Dict[str, Callable[[np.ndarray, np.random.Generator], Tuple[np.ndarray, int]]] = {
    "denoise": add_noise,
    "derain": add_rain,
    "dehaze": add_haze,
    "deblur": add_motion_blur,
    "lowlight": add_low_light,
}


def degrade(img: np.ndarray, name: str, rng: np.random.Generator):
    return DEGRADE[name](img, rng)
