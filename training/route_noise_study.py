#!/usr/bin/python3
"""Does a route still restore when the degraded picture carries a little sensor noise?

    /usr/bin/python3 training/route_noise_study.py [--task dehaze|derain|deblur|lowlight] \
        [--weights models/daair-s.pt ...] [--images 6]

Every camera adds noise, and a decoder's rounding adds about one 8-bit step more. On the temporal
clip's hazy frame 40, v10's dehaze route gains 13 dB at full size on the noise-free frame and
nothing once sensor noise of one 8-bit step is added. This study asks whether that holds on
photos: training photos (never the validation images), degraded with the training synthesis of
TASK (seeded), then Gaussian sensor noise of sigma 0, 1, 2 and 4 steps (seeded, quantised to 8
bits), restored with the route fixed at full size (f1) and, for dehaze, also through the coarse
copy the engine uses (copy, `daair/coarse.py`, side 256). It prints each photo's gain over its
degraded input and the means, and the share of the noisy pictures that the engine's classifier
would send to TASK's route, per set of weights, so two models can be compared on the same pictures.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

from clip_haze_study import smoothed_copy  # noqa: E402
from coarse_study import training_photos  # noqa: E402
from daair import coarse  # noqa: E402
from daair.degradations import DEGRADE, add_sensor_noise  # noqa: E402
from daair.metrics import classify_array, psnr, restore_array  # noqa: E402
from daair.model import DegradationClassifier  # noqa: E402
from export import load_checkpoint  # noqa: E402

SIGMAS = (0, 1, 2, 4)


def noisy(img: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    """img with sensor noise of sigma 8-bit steps (seeded); sigma 0: img itself."""
    return img if sigma == 0 else add_sensor_noise(img, np.random.default_rng(seed), sigma)


def runner(weights: str, task: str):
    """The network with its route fixed to TASK, as an HxWx3 -> HxWx3 function, and whether the
    engine's classifier (its crops, `metrics.classify_array`) would pick that route, as a function."""
    model = load_checkpoint(weights).eval()
    k = list(model.cfg.degradations).index(task)
    clf = DegradationClassifier(model).eval()
    return (lambda img: restore_array(model, img, route=k)), (lambda img: classify_array(clf, img) == k)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", default="dehaze", choices=sorted(DEGRADE))
    ap.add_argument("--weights", nargs="+", default=[os.path.join(HERE, "..", "models", "daair-s.pt")])
    ap.add_argument("--train-dir", default=os.path.join(HERE, "..", "..", "shared", "data", "train"))
    ap.add_argument("--images", type=int, default=6, help="photos under 1000 px long")
    ap.add_argument("--offset", type=int, default=3, help="which photos (coarse_study uses 5)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--copy-blur", type=float, default=0, help="dehaze: also through the copy smoothed by a "
                    "Gaussian of this sigma (copy pixels) before the network (clip_haze_study.smoothed_copy)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    runs = {w: runner(w, args.task) for w in args.weights}
    photos = training_photos(args.train_dir, False, args.images, args.offset)
    ways = ("f1", "copy") if args.task == "dehaze" else ("f1",)
    if args.task == "dehaze" and args.copy_blur > 0:
        ways += ("copy+blur",)
    gains = {(w, s, how): [] for w in runs for s in SIGMAS for how in ways + ("routed",)}
    for i, path in enumerate(photos):
        clean = np.asarray(Image.open(path).convert("RGB"), np.float32) / 255
        degraded, _ = DEGRADE[args.task](clean, np.random.default_rng(3000 + i))
        for s in SIGMAS:
            x = noisy(degraded, s, 4000 + i)
            base = psnr(x, clean)
            for w, (run, routed) in runs.items():
                gains[(w, s, "routed")].append(float(routed(x)))
                line = []
                for how in ways:
                    out = (run(x) if how == "f1" else coarse.restore(run, x) if how == "copy"
                           else smoothed_copy(run, x, args.copy_blur))
                    g = psnr(out, clean) - base
                    gains[(w, s, how)].append(g)
                    line.append(f"{how} {g:+.2f}")
                print(f"{os.path.basename(path)} {x.shape[1]}x{x.shape[0]} noise {s}: {args.task} input {base:.2f} dB, "
                      f"{os.path.basename(w)} gain " + " ".join(line), flush=True)
    print(f"\n{args.task}: mean gain over {len(photos)} photos (dB), by sensor noise sigma in 8-bit steps:")
    for w in runs:
        for how in ways:
            print(f"{w} gain {how:4s} " + " ".join(f"s{s} {np.mean(gains[(w, s, how)]):+.2f}" for s in SIGMAS))
        print(f"{w} share the classifier routes to {args.task}: "
              + " ".join(f"s{s} {np.mean(gains[(w, s, 'routed')]):.2f}" for s in SIGMAS))


if __name__ == "__main__":
    main()
