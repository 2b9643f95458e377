"""What a camera and its encoder do to a degraded picture before daair sees it (training only).

Validation keeps the plain synthesis (so numbers stay comparable across models); training can add,
per sample, the two things every real feed has and the plain synthesis lacks:

* 4:2:0 chroma subsampling (H.264/H.265 streams carry colour at half resolution): noise and rain
  in the colour channels become 2x2 blobs rather than independent pixels;
* lossy compression (JPEG at a random quality, standing in for an encoder's DCT quantisation):
  blocking, and noise partly smoothed into low-frequency mush; or, with ``h264_p``, a real H.264
  round trip (x264 through the ffmpeg command line).

Also the options that widen a degradation's range in training (``lowlight_photons``: low light
that is dark but hardly noisy, as good sensors deliver, which the plain synthesis never shows).
"""
from __future__ import annotations

import io
import subprocess
from typing import Dict

import numpy as np
from PIL import Image

from .degradations import quantise

# BT.601 full range, as JPEG uses
_RGB2YCC = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]], np.float32)
_YCC2RGB = np.linalg.inv(_RGB2YCC).astype(np.float32)


def chroma_420(img: np.ndarray) -> np.ndarray:
    """Round trip through 4:2:0: chroma averaged over 2x2 blocks and repeated back."""
    h, w, _ = img.shape
    ycc = img @ _RGB2YCC.T
    hh, ww = h - h % 2, w - w % 2
    for c in (1, 2):
        ch = ycc[:hh, :ww, c].reshape(hh // 2, 2, ww // 2, 2).mean(axis=(1, 3))
        ycc[:hh, :ww, c] = np.repeat(np.repeat(ch, 2, axis=0), 2, axis=1)
    return quantise(ycc @ _YCC2RGB.T)


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    """Lossy compression at QUALITY (PIL's JPEG, 4:2:0)."""
    buf = io.BytesIO()
    Image.fromarray((np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)).save(buf, "JPEG", quality=int(quality))
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"), dtype=np.float32) / 255.0


def h264(img: np.ndarray, crf: int) -> np.ndarray:
    """One frame through H.264 (x264, 4:2:0, BT.601 limited range, CRF) and back, decoded as the
    engine decodes (video.ENGINE_FLAGS). H.264 leaves noise differently from JPEG (its own
    transform, in-loop deblocking): the temporal clip's H.264 noise goes to low light where the
    same noise through JPEG or none goes to denoise (docs/temporal-stability.md, session 10)."""
    from .video import ENGINE_FLAGS, decode
    h, w = img.shape[:2]
    raw = (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8).tobytes()
    enc = subprocess.run(["ffmpeg", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-i", "-",
                          "-vf", f"scale=flags={ENGINE_FLAGS}:out_color_matrix=bt601:out_range=tv,format=yuv420p",
                          "-c:v", "libx264", "-preset", "veryfast", "-threads", "1", "-crf", str(int(crf)),
                          "-f", "h264", "-"], input=raw, check=True, capture_output=True).stdout
    return decode(["-f", "h264", "-i", "-"], w, h, data=enc, scale_opts=":in_color_matrix=bt601:in_range=tv")[0]


def camera(img: np.ndarray, rng: np.random.Generator, h264_p: float = 0.0) -> np.ndarray:
    """A random camera: a share H264_P through H.264 at CRF 12-30 (a video camera's stream);
    the others 4:2:0, then JPEG at quality 55-95 three times in four. Draws nothing more from RNG
    when H264_P is 0, so earlier experiments' batches stay bit-identical."""
    if h264_p > 0 and rng.random() < h264_p:
        return h264(img, int(rng.integers(12, 31)))
    out = chroma_420(img)
    if rng.random() < 0.75:
        out = jpeg(out, int(rng.integers(55, 96)))
    return out


def degradation_options(synthesis: Dict | None, name: str) -> Dict:
    """Keyword arguments of degradation NAME from an experiment's ``synthesis`` section."""
    if not synthesis:
        return {}
    if name == "lowlight" and "lowlight_photons" in synthesis:
        lo, hi = synthesis["lowlight_photons"]
        return {"photons_range": (float(lo), float(hi))}
    return {}
