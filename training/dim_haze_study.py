#!/usr/bin/python3
"""Dehazing of dim, flat scenes under what a camera delivers, per set of weights.

    /usr/bin/python3 training/dim_haze_study.py [--weights models/daair-s.pt ...] [--set Kodak24] [--images 8]

An overhead car park, asphalt, a wall: scenes darker and flatter than most photos. Session 14 found
that v14's dehaze expert fails on them both ways, by what happened to the light sensor noise:
with the noise it leaves most of the haze in, and once H.264 has smoothed it away it over-dehazes
(the temporal clip's hazy frames come out up to 45/255 too dark). This study measures that on
validation photos (never training ones), so a fine-tune can be selected on it:

  scene     plain (the photo) or dim (x0.5 and its contrast x0.6 about its mean);
  haze      beta 0.3 (thin), 0.8, 1.4 over a depth proxy in [0.2, 1], airlight (0.86, 0.87, 0.89),
            as samples/temporal's haze is made;
  delivery  none (quantised), noise (sensor noise sigma 4/255), h264 (that, then x264 CRF 20
            and back as the engine decodes).

Each image is shrunk by area averaging to 384 px long (a 384x216 clip's frames are), restored as
the engine does (route fixed to dehaze, the coarse copy; daair/coarse.py). Per cell: the gain over
the hazy input (dB) and the output's mean error (8-bit steps; negative = too dark, over-dehazed;
positive = haze left in). Seeded: the same command gives the same numbers.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from coarse_study import dehaze_runner  # noqa: E402
from daair import camera, coarse  # noqa: E402
from daair.data import list_images  # noqa: E402
from daair.degradations import add_sensor_noise, depth_proxy, quantise  # noqa: E402
from daair.metrics import psnr  # noqa: E402

ROOT = os.path.dirname(HERE)
AIRLIGHT = np.array([0.86, 0.87, 0.89], np.float32)
BETAS = (0.3, 0.8, 1.4)
DELIVERIES = ("none", "noise", "h264")


def scenes(path: str, side: int = 384) -> dict:
    """The photo shrunk to SIDE px long (even sides), plain and dim."""
    im = Image.open(path).convert("RGB")
    k = side / max(im.size)
    im = im.resize((int(im.size[0] * k) // 2 * 2, int(im.size[1] * k) // 2 * 2), Image.BOX)
    plain = np.asarray(im, np.float32) / 255.0
    mean = plain.mean(axis=(0, 1), keepdims=True) * 0.5
    return {"plain": plain, "dim": quantise(mean + (plain * 0.5 - mean) * 0.6)}


def hazy_inputs(clean: np.ndarray, rng: np.random.Generator) -> dict:
    """(beta, delivery) -> the hazy picture as delivered."""
    depth = 0.2 + 0.8 * depth_proxy(clean.shape[0], clean.shape[1], clean, rng)
    out = {}
    for beta in BETAS:
        t = np.exp(-beta * depth)[..., None]
        hazy = np.clip(clean * t + AIRLIGHT * (1 - t), 0, 1)
        noisy = add_sensor_noise(hazy, rng, 4.0)
        out[beta, "none"] = quantise(hazy)
        out[beta, "noise"] = noisy
        out[beta, "h264"] = camera.h264(noisy, 20)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", nargs="+", default=[os.path.join(ROOT, "models", "daair-s.pt")])
    ap.add_argument("--val-dir", default=os.path.join(ROOT, "..", "shared", "data", "val"))
    ap.add_argument("--set", default="Kodak24")
    ap.add_argument("--images", type=int, default=8, help="images spread over the set")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    paths = list_images(os.path.join(args.val_dir, args.set))
    paths = paths[::max(1, len(paths) // args.images)][:args.images]
    # the inputs once, the same for every set of weights
    cases = []
    for i, p in enumerate(paths):
        for scene, clean in scenes(p).items():
            rng = np.random.default_rng([14, i, scene == "dim"])
            cases.append((scene, clean, hazy_inputs(clean, rng)))
    for w in args.weights:
        run = dehaze_runner(w, args.threads)
        cells = {}
        for scene, clean, inputs in cases:
            for (beta, delivery), hazy in inputs.items():
                out = np.clip(coarse.restore(run, hazy), 0, 1)
                cells.setdefault((scene, delivery, beta), []).append(
                    (psnr(out, clean) - psnr(hazy, clean), 255 * float((out - clean).mean())))
        print(f"{w}: {args.set}, {len(paths)} images; gain dB / mean error in 8-bit steps, by beta")
        print(f"  {'scene':6s} {'delivery':8s} " + " ".join(f"{'beta ' + format(b, 'g'):>16s}" for b in BETAS)
              + f" {'mean gain':>10s}")
        total = []
        for scene in ("plain", "dim"):
            for delivery in DELIVERIES:
                row = [np.mean(cells[scene, delivery, b], axis=0) for b in BETAS]
                total += [r[0] for r in row]
                print(f"  {scene:6s} {delivery:8s} " + " ".join(f"{g:+7.2f} / {e:+6.1f}" for g, e in row)
                      + f" {np.mean([r[0] for r in row]):+10.2f}")
        print(f"  mean gain over all cells {np.mean(total):+.2f} dB")


if __name__ == "__main__":
    main()
