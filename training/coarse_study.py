#!/usr/bin/python3
"""How much haze the network removes at full size and through coarse frames (daair/coarse.py),
on hazy copies of training photos (never the validation images), per downscale factor.

    /usr/bin/python3 training/coarse_study.py [--weights models/daair-s.pt] [--images 8]

Two groups: photos at least 1000 px long and photos under it (BSD, 480 px). Each photo is hazed
once with the training synthesis (seeded), dehazed with the route fixed to dehaze at factors
1 (the network at full size), 2, 3 and 4, and scored by PSNR gain over the hazy input.
"""
from __future__ import annotations

import argparse
import glob
import os
import sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from daair import coarse  # noqa: E402
from daair.degradations import add_haze  # noqa: E402
from daair.metrics import psnr, restore_array  # noqa: E402
from export import load_checkpoint  # noqa: E402


def dehaze_runner(weights: str, threads: int):
    """The network with its route fixed to dehaze, as an HxWx3 -> HxWx3 function."""
    torch.set_num_threads(threads)
    model = load_checkpoint(weights).eval()
    k = list(model.cfg.degradations).index("dehaze")
    return lambda img: restore_array(model, img, route=k)


def training_photos(train_dir: str, large: bool, count: int, offset: int) -> list:
    """COUNT photos spread over the training set, at least 1000 px long (LARGE) or under it;
    OFFSET picks which (coarse_study.py and coarse_footage_study.py use different ones)."""
    photos = sorted(f for f in glob.glob(os.path.join(train_dir, "**", "*.*"), recursive=True)
                    if f.lower().endswith((".png", ".jpg", ".jpeg")))
    group = [f for f in photos if (max(Image.open(f).size) >= 1000) == large]
    return group[offset::max(1, len(group) // count)][:count]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", default=os.path.join(HERE, "..", "models", "daair-s.pt"))
    ap.add_argument("--train-dir", default=os.path.join(HERE, "..", "..", "shared", "data", "train"))
    ap.add_argument("--images", type=int, default=8, help="photos per group")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    run = dehaze_runner(args.weights, args.threads)
    for large in (True, False):
        group = training_photos(args.train_dir, large, args.images, offset=5)
        gains = {f: [] for f in (1, 2, 3, 4)}
        for i, path in enumerate(group):
            clean = np.asarray(Image.open(path).convert("RGB"), np.float32) / 255
            clean = clean[:clean.shape[0] // 48 * 48, :clean.shape[1] // 48 * 48]
            hazy, _ = add_haze(clean, np.random.default_rng(2000 + i))
            base = psnr(hazy, clean)
            for f in gains:
                out = run(hazy) if f == 1 else coarse.transfer(coarse.downscale(hazy, f), np.clip(run(coarse.downscale(hazy, f)), 0, 1), hazy, f)
                gains[f].append(psnr(out, clean) - base)
            print(f"{os.path.basename(path)} {hazy.shape[1]}x{hazy.shape[0]} hazy {base:.2f} dB; gain "
                  + " ".join(f"f{f} {g[-1]:+.2f}" for f, g in gains.items()), flush=True)
        print(f"{'>= 1000 px' if large else '< 1000 px'} ({len(group)} photos), mean gain: "
              + " ".join(f"f{f} {np.mean(g):+.2f} dB" for f, g in gains.items()), flush=True)


if __name__ == "__main__":
    main()
