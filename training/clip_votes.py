#!/usr/bin/python3
"""Which route the engine's classifier votes for on the temporal clip, segment by segment.

    /usr/bin/python3 training/clip_votes.py [--weights models/daair-s.pt ...] [--gains 0.6,1,1.3,1.6]

The clip (samples/temporal/, make_temporal_clip.py) has three segments: rain (frames 0-31), haze
(32-63) and noise (64-95, sigma 20 plus 4 of sensor noise, H.264). For each set of weights this
prints the classifier's mean class probabilities (`metrics.class_probabilities`, the engine's crops)
over every fourth frame of each segment, decoded as the engine decodes (daair/video.py). With
--gains it also asks what the vote on the noise segment follows: the segment's clean frames,
brightened or darkened by each gain, with fresh Gaussian noise of sigma 20 (seeded) and no codec.
Used in session 10: v14 sends the noise segment to low light.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

from daair import video  # noqa: E402
from daair.degradations import add_sensor_noise, quantise  # noqa: E402
from daair.metrics import class_probabilities  # noqa: E402
from daair.model import DegradationClassifier  # noqa: E402
from export import load_checkpoint  # noqa: E402

ROOT = os.path.dirname(HERE)
SEGMENTS = (("rain", range(0, 32, 4)), ("haze", range(32, 64, 4)), ("noise", range(64, 96, 4)))


def votes(clf, frames) -> np.ndarray:
    with torch.no_grad():
        return np.mean([class_probabilities(clf, f) for f in frames], axis=0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", nargs="+", default=[os.path.join(ROOT, "models", "daair-s.pt")])
    ap.add_argument("--degraded", default=os.path.join(ROOT, "samples", "temporal", "car-park-degraded.mp4"))
    ap.add_argument("--clean", default=os.path.join(ROOT, "samples", "temporal", "car-park-clean.mp4"))
    ap.add_argument("--gains", default="", help="comma-separated brightness gains for the clean-frame check")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    deg = video.read_rgb(args.degraded)
    clean = video.read_rgb(args.clean) if args.gains else None
    for w in args.weights:
        model = load_checkpoint(w).eval()
        clf = DegradationClassifier(model).eval()
        names = list(model.cfg.degradations)
        show = lambda p: " ".join(f"{n} {v:.2f}" for n, v in zip(names, p))  # noqa: E731
        for seg, idx in SEGMENTS:
            print(f"{w}: {seg:5s} frames {idx.start}-{idx.stop - 1}: {show(votes(clf, [deg[t] for t in idx]))}", flush=True)
        for g in [float(x) for x in args.gains.split(",") if x]:
            rng = np.random.default_rng(1)
            frames = [add_sensor_noise(quantise(clean[t] * g), rng, 20) for t in range(64, 96, 8)]
            print(f"{w}: clean noise-segment frames x{g:g} + sigma 20: {show(votes(clf, frames))}", flush=True)


if __name__ == "__main__":
    main()
