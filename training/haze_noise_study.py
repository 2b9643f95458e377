#!/usr/bin/python3
"""Does the dehaze route still dehaze when the hazy picture carries a little sensor noise?

    /usr/bin/python3 training/haze_noise_study.py [--weights models/daair-s.pt ...] [--images 6]

Every camera adds noise, and a decoder's rounding adds about one 8-bit step more. On the temporal
clip's hazy frame 40, v10's dehaze route gains 13 dB at full size on the noise-free frame and
nothing once sensor noise of one 8-bit step is added. This study asks whether that holds on hazy
photos: training photos (never the validation images), hazed with the training synthesis
(seeded), then Gaussian sensor noise of sigma 0, 1, 2 and 4 steps (seeded, quantised to 8 bits),
dehazed with the route fixed at full size (f1) and through the coarse copy the engine uses (copy,
`daair/coarse.py`, side 256). It prints each photo's gain over its hazy input and the means, per
set of weights, so two models can be compared on the same pictures.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from coarse_study import dehaze_runner, training_photos  # noqa: E402
from daair import coarse  # noqa: E402
from daair.degradations import add_haze, quantise  # noqa: E402
from daair.metrics import psnr  # noqa: E402

SIGMAS = (0, 1, 2, 4)


def noisy(hazy: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    """hazy plus Gaussian noise of sigma 8-bit steps, clipped and quantised as a sensor would."""
    if sigma == 0:
        return hazy
    rng = np.random.default_rng(seed)
    return quantise(np.clip(hazy + rng.standard_normal(hazy.shape).astype(np.float32) * (sigma / 255), 0, 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", nargs="+", default=[os.path.join(HERE, "..", "models", "daair-s.pt")])
    ap.add_argument("--train-dir", default=os.path.join(HERE, "..", "..", "shared", "data", "train"))
    ap.add_argument("--images", type=int, default=6, help="photos under 1000 px long")
    ap.add_argument("--offset", type=int, default=3, help="which photos (coarse_study uses 5)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    runs = {w: dehaze_runner(w, args.threads) for w in args.weights}
    photos = training_photos(args.train_dir, False, args.images, args.offset)
    gains = {(w, s, how): [] for w in runs for s in SIGMAS for how in ("f1", "copy")}
    for i, path in enumerate(photos):
        clean = np.asarray(Image.open(path).convert("RGB"), np.float32) / 255
        hazy, _ = add_haze(clean, np.random.default_rng(3000 + i))
        for s in SIGMAS:
            x = noisy(hazy, s, 4000 + i)
            base = psnr(x, clean)
            for w, run in runs.items():
                g1 = psnr(run(x), clean) - base
                gc = psnr(coarse.restore(run, x), clean) - base
                gains[(w, s, "f1")].append(g1)
                gains[(w, s, "copy")].append(gc)
                print(f"{os.path.basename(path)} {x.shape[1]}x{x.shape[0]} noise {s}: hazy {base:.2f} dB, "
                      f"{os.path.basename(w)} gain f1 {g1:+.2f} copy {gc:+.2f}", flush=True)
    print(f"\nmean gain over {len(photos)} photos (dB), by sensor noise sigma in 8-bit steps:")
    for w in runs:
        for how in ("f1", "copy"):
            print(f"{w} {how:4s} " + " ".join(f"s{s} {np.mean(gains[(w, s, how)]):+.2f}" for s in SIGMAS))


if __name__ == "__main__":
    main()
