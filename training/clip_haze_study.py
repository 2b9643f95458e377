#!/usr/bin/python3
"""The temporal clip's hazy frames through the dehaze route, frame by frame, four ways.

    /usr/bin/python3 training/clip_haze_study.py [--weights models/daair-s.pt ...] [--blur 0.7]

Frames 32-62 (every second one) of samples/temporal/car-park-degraded.mp4, decoded as the engine
decodes (daair/video.py), are dehazed with the route fixed: through the coarse copy as the engine
does by default (copy; daair/coarse.py, side 256), through the copy smoothed by a Gaussian of BLUR copy pixels
before the network (copy+blur; the affine map is still fitted against the unsmoothed copy), and
at full size (full), and with the guard of session 10 (guarded, `engine.coarse_guard: true`: the copy pulled toward its
calibration to a native-resolution run on the central square). PSNR against the clean clip, per frame and the mean, per set of weights.

--plain-decode reads the degraded clip with ffmpeg's default conversion to RGB
(not the engine's bicubic+full_chroma_int+accurate_rnd): the same frames, 1.5 8-bit steps apart on
average, yet v14 dehazes them 3 dB apart through the copy (session 14, docs/model-history.md).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys

import numpy as np
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from coarse_study import dehaze_runner  # noqa: E402
from daair import coarse, video  # noqa: E402
from daair.metrics import psnr  # noqa: E402

ROOT = os.path.dirname(HERE)


def smoothed_copy(run, img: np.ndarray, sigma: float, side: int = coarse.SIDE) -> np.ndarray:
    """coarse.restore with the copy smoothed before the network (sigma in copy pixels)."""
    f = coarse.factor(img.shape[0], img.shape[1], side)
    small = coarse.downscale(img, f)
    out = np.clip(run(ndimage.gaussian_filter(small, (sigma, sigma, 0))), 0, 1)
    return coarse.transfer(small, out, img, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", nargs="+", default=[os.path.join(ROOT, "models", "daair-s.pt")])
    ap.add_argument("--degraded", default=os.path.join(ROOT, "samples", "temporal", "car-park-degraded.mp4"))
    ap.add_argument("--clean", default=os.path.join(ROOT, "samples", "temporal", "car-park-clean.mp4"))
    ap.add_argument("--blur", type=float, default=0.7, help="sigma of the copy's smoothing, copy pixels")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--plain-decode", action="store_true", help="the degraded clip through ffmpeg's default RGB conversion")
    args = ap.parse_args()
    deg, cln = video.read_rgb(args.degraded), video.read_rgb(args.clean)
    if args.plain_decode:
        h, w = deg.shape[1:3]
        raw = subprocess.run(["ffmpeg", "-v", "error", "-i", args.degraded, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                             check=True, capture_output=True).stdout
        plain = np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3).astype(np.float32) / 255.0
        print(f"plain decode: mean |difference| from the engine's {255 * np.abs(plain - deg).mean():.2f} 8-bit steps")
        deg = plain
    frames = range(32, 64, 2)
    for w in args.weights:
        run = dehaze_runner(w, args.threads)
        rows = np.array([(psnr(deg[n], cln[n]), psnr(coarse.restore(run, deg[n]), cln[n]),
                          psnr(smoothed_copy(run, deg[n], args.blur), cln[n]), psnr(run(deg[n]), cln[n]),
                          psnr(coarse.restore(run, deg[n], guard=True), cln[n]))
                         for n in frames])
        print(f"{w}: hazy frames {frames.start}-{frames.stop - 2}, every second one (dB)")
        for name, col in (("input", 0), ("copy", 1), (f"copy+blur{args.blur:g}", 2), ("full", 3), ("guarded", 4)):
            print(f"  {name:14s} mean {rows[:, col].mean():6.2f}  per frame " + " ".join(f"{v:.1f}" for v in rows[:, col]))


if __name__ == "__main__":
    main()
