#!/usr/bin/python3
"""Each frame's mean brightness (RGB in [0, 1]) of two or more videos of the same frames, side by
side: where a restored video's light drifts from the clean one's (issue #9).

    /usr/bin/python3 training/brightness_trace.py clean.mp4 degraded.mp4 [restored.mkv ...]

The restored videos are best written lossless (`./daair restore ... --config` with
`output: {lossless: true}`, and `temporal: {stabilize: false}` for the frames restored one by one).
Frames are decoded as the engine decodes them (daair.video.read_rgb).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daair.video import read_rgb  # noqa: E402


def trace(paths):
    """Per frame, each video's mean: a list of rows, one per frame of the shortest video."""
    videos = [read_rgb(p) for p in paths]
    n = min(len(v) for v in videos)
    return [[float(v[t].mean()) for v in videos] for t in range(n)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("videos", nargs="+", help="the clean video first, then the others")
    args = ap.parse_args()
    print("frame  " + "  ".join(os.path.basename(p) for p in args.videos))
    for t, row in enumerate(trace(args.videos)):
        print("%5d  " % t + "  ".join("%.3f" % m for m in row))


if __name__ == "__main__":
    main()
