#!/usr/bin/python3
"""Where a restored clip flickers more than the clean one, frame by frame, and how the restored
level moves on the still pixels of one frame (issue #9: the temporal clip's jump at frame 64).

    /usr/bin/python3 training/cut_study.py EVAL.json [--clean samples/temporal/car-park-clean.mp4]
        [--videos per-frame.mkv stabilised.mkv ...] [--cut 64] [--degraded DEGRADED.mp4]

EVAL.json is `./daair eval --json` of the clip. The clean clip's own flicker is measured here frame
by frame, as `Flicker.perFrame` measures it (still pixels: the clean luma's change, averaged over
5x5 with edges repeated, under 2/255; the RGB change averaged over them), and each frame's part of
the stabilised flicker (from EVAL.json) is set beside the clean clip's part of its own: the
difference is that frame's excess, and the excesses add up to the clip's flicker / clean - 1.

With --videos (restored videos of the same frames, best written lossless): per frame, each one's
mean error against the clean clip over the pixels that are still at frame CUT, and the change of
light frame to frame (the median over the pixels of the luma ratio - 1, as
`TemporalStabilizer.lightChange`) of the clean clip, the degraded input (--degraded) and each video.
Frames are decoded as the engine decodes them (daair.video.read_rgb).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from daair import coarse  # noqa: E402
from temporal_segments import RESTARTS, SEGMENTS  # noqa: E402

STATIC_CHANGE = 2.0 / 255   # Flicker.STATIC_CHANGE
RADIUS = 2                  # TemporalStabilizer.DEFAULT_RADIUS: the blur of the luma change
LIGHT_DARK = 0.02           # TemporalStabilizer.LIGHT_DARK


def box(x: np.ndarray, r: int = RADIUS) -> np.ndarray:
    """Mean over (2 r + 1)^2, edges repeated (TemporalStabilizer.box; the coarse path's own box)."""
    return coarse.box(x, r)


def still_masks(clean: np.ndarray) -> list:
    """Per frame t >= 1, the pixels where the clean clip is still (index 0: None)."""
    y = clean.mean(axis=-1)
    return [None] + [box(np.abs(y[t] - y[t - 1])) < STATIC_CHANGE for t in range(1, len(clean))]


def flicker_parts(video: np.ndarray, masks: list) -> np.ndarray:
    """Per frame t >= 1: [summed mean-RGB absolute change over the still pixels, their number]."""
    out = np.zeros((2, len(video)))
    for t in range(1, len(video)):
        d = np.abs(video[t].astype(np.float64) - video[t - 1]).mean(axis=-1)[masks[t]]
        out[0, t], out[1, t] = d.sum(), masks[t].sum()
    return out


def excess(result: dict, clean_parts: np.ndarray) -> list:
    """Per frame of EVAL's result: (index, stabilised part, clean part), each as a share of the clean
    clip's whole flicker, so the clean parts add up to 1 and the stabilised ones to flicker / clean."""
    frames = result["frameScores"]
    scale = sum(f["stillPixels"] for f in frames) * result["flickerClean"]
    clean_total = clean_parts[0].sum()
    return [(f["index"], f["flickerStabilized"] * f["stillPixels"] / scale,
             clean_parts[0, f["index"]] / clean_total) for f in frames if f["index"] > 0]


def light_change(a: np.ndarray, b: np.ndarray) -> float:
    """The median over the pixels of luma A / luma B - 1 (B at least LIGHT_DARK)."""
    return float(np.median(a.mean(axis=-1) / np.maximum(b.mean(axis=-1), LIGHT_DARK) - 1))


def level_errors(clean: np.ndarray, video: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per frame, VIDEO's mean error against CLEAN over MASK's pixels (all channels)."""
    return np.array([float((video[t][mask] - clean[t][mask]).mean()) for t in range(len(clean))])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json", help="./daair eval --json output of the clip")
    ap.add_argument("--clean", default=os.path.join(os.path.dirname(HERE), "samples", "temporal", "car-park-clean.mp4"))
    ap.add_argument("--degraded", help="the degraded clip, for its change of light")
    ap.add_argument("--videos", nargs="*", default=[], help="restored videos of the same frames")
    ap.add_argument("--cut", type=int, default=RESTARTS[1][1], help="the frame whose still pixels the levels follow")
    ap.add_argument("--show", type=float, default=0.006, help="list the frames whose excess is beyond this")
    ap.add_argument("--oracle-gains", help="also write here, per frame t, 1 + the clean clip's change of light "
                    "(for bench/results/oracle-light-2026-12-04-s18.patch)")
    args = ap.parse_args()
    from daair.video import read_rgb
    clean = read_rgb(args.clean)
    masks = still_masks(clean)
    if args.oracle_gains:
        with open(args.oracle_gains, "w") as f:
            f.writelines("%d %.6f\n" % (t, 1 + light_change(clean[t], clean[t - 1])) for t in range(1, len(clean)))
    with open(args.json) as f:
        result = json.load(f)["result"]
    parts = excess(result, flicker_parts(clean, masks))
    print("%s: flicker %.3fx of the clean clip's; excess %+.3fx" % (
        args.json, sum(s for _, s, _ in parts), sum(s - c for _, s, c in parts)))
    for name, a, b in SEGMENTS + RESTARTS:
        sel = [(s, c) for t, s, c in parts if a <= t <= b]
        print("  %-13s %2d-%2d  stabilised %.3fx  clean %.3fx  excess %+.3fx" % (
            name, a, b, sum(s for s, _ in sel), sum(c for _, c in sel), sum(s - c for s, c in sel)))
    for t, s, c in parts:
        if abs(s - c) > args.show:
            print("  frame %2d  stabilised %.3fx  clean %.3fx  excess %+.3fx  still %d" % (t, s, c, s - c, masks[t].sum()))
    if not args.videos:
        return
    videos = [read_rgb(p) for p in args.videos]
    degraded = read_rgb(args.degraded) if args.degraded else None
    mask = masks[args.cut]
    errors = [level_errors(clean, v, mask) for v in videos]
    names = [os.path.basename(p) for p in args.videos]
    print("\nmean error over the %d pixels still at frame %d; change of light (median luma ratio - 1)" % (mask.sum(), args.cut))
    print("frame  clean level  " + "  ".join("%s error" % n for n in names) + "  |  light: clean"
          + ("  input" if degraded is not None else "") + "  " + "  ".join(names))
    for t in range(len(clean)):
        lights = [light_change(v[t], v[t - 1]) if t else 0.0 for v in [clean] + ([degraded] if degraded is not None else []) + videos]
        print("%5d  %.3f  " % (t, clean[t][mask].mean()) + "  ".join("%+.3f" % e[t] for e in errors)
              + "  |  " + "  ".join("%+.4f" % x for x in lights))


if __name__ == "__main__":
    main()
