#!/usr/bin/python3
"""How much the temporal stabiliser's input test reads as motion on still pixels, per segment of
the temporal clip: a replica of TemporalStabilizer.inputChange (luma = mean of RGB; signed change
boxed over 5x5, less its 31x31 mean, absolute, spread by a 5x5 maximum) over the pixels where the
clean clip is still (Flicker.STATIC_CHANGE), and the blend weight that change alone would allow.

    /usr/bin/python3 training/temporal_probe.py [--degraded samples/temporal/car-park-degraded.mp4]

A diagnostic for docs/temporal-stability.md: the stabiliser takes the smaller of this and the
restored frames' change, so the weight printed is an upper bound of what a still pixel gets. Since
session 11 the stabiliser also takes the smallest of this change and two more (t against t-2, t+1
against t-1); the probe measures the first alone.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daair import video  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SEGMENTS = (("rain", 1, 32), ("haze", 34, 64), ("noise", 65, 96))   # make_temporal_clip.py's, less the switches
STRENGTH, FLOOR, THRESHOLD = 0.97, 0.005, 0.08                      # config/daair.yaml's defaults


def frames(path: str) -> np.ndarray:
    return video.read_rgb(path)   # the engine's conversion, so the numbers are `./daair eval`'s


def box(x: np.ndarray, r: int) -> np.ndarray:
    return ndimage.uniform_filter(x, 2 * r + 1, mode="nearest")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--degraded", default=os.path.join(ROOT, "samples", "temporal", "car-park-degraded.mp4"))
    ap.add_argument("--clean", default=os.path.join(ROOT, "samples", "temporal", "car-park-clean.mp4"))
    args = ap.parse_args()
    deg, cln = frames(args.degraded), frames(args.clean)
    for name, a, b in SEGMENTS:
        vals = []
        for t in range(a, b):
            d = deg[t].mean(2) - deg[t - 1].mean(2)
            motion = ndimage.maximum_filter(np.abs(box(d, 2) - box(d, 15)), 5, mode="nearest")
            still = box(np.abs(cln[t].mean(2) - cln[t - 1].mean(2)), 2) < 2 / 255
            vals.append(motion[still])
        v = np.concatenate(vals)
        weight = STRENGTH * np.clip((THRESHOLD - v) / (THRESHOLD - FLOOR), 0, 1)
        print(f"{name:6s} frames {a}-{b - 1}: input change on still pixels median {np.median(v):.4f}, "
              f"90th percentile {np.percentile(v, 90):.4f}; blend weight it allows, median {np.median(weight):.2f}")


if __name__ == "__main__":
    main()
