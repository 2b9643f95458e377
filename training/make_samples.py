#!/usr/bin/python3
"""Make samples/ from the CC-BY 4.0 car-park clip: a short degraded clip and a few degraded frames.

    /usr/bin/python3 training/make_samples.py [--clip ../shared/data/video/car-detection.mp4]

Needs the ffmpeg command (apt-get install -y ffmpeg) to cut and encode; the degradations are the
training synthesis (seeded, so the samples are reproducible). Only derivatives of this one clip
are shipped; no other shared image is redistributed.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from daair.degradations import DEGRADE  # noqa: E402

ROOT = os.path.dirname(HERE)


def read_frames(clip, n, w, h):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", clip, "-frames:v", str(n), "-vf", f"scale={w}:{h}",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clip", default=os.path.join(ROOT, "..", "shared", "data", "video", "car-detection.mp4"))
    ap.add_argument("--out", default=os.path.join(ROOT, "samples"))
    ap.add_argument("--frames", type=int, default=40)
    args = ap.parse_args()
    os.makedirs(os.path.join(args.out, "frames"), exist_ok=True)

    # a few frames, each with one degradation, at 480x272 (a multiple of 16)
    frames = read_frames(args.clip, 120, 480, 272)
    for i, name in enumerate(DEGRADE):
        clean = frames[i * 25].astype(np.float32) / 255
        deg, _ = DEGRADE[name](clean, np.random.default_rng(1000 + i))
        Image.fromarray((deg * 255 + 0.5).astype(np.uint8)).save(os.path.join(args.out, "frames", f"{i + 1:02d}-{name}.png"))

    # a short rainy clip at the source's size, frame rate and colour tags, with its audio copied:
    # new streaks every frame (rain moves), one fall direction
    clip = read_frames(args.clip, args.frames, 768, 432)
    rng = np.random.default_rng(7)
    out = os.path.join(args.out, "car-park-rain.mp4")
    enc = subprocess.Popen(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "768x432",
                            "-r", "12.5", "-i", "-", "-i", args.clip, "-map", "0:v", "-map", "1:a", "-shortest",
                            "-c:v", "libx264", "-crf", "18", "-pix_fmt", "yuv420p", "-color_range", "tv",
                            "-color_primaries", "smpte170m", "-color_trc", "smpte170m", "-colorspace", "smpte170m",
                            "-c:a", "copy", "-movflags", "+faststart", out], stdin=subprocess.PIPE)
    from daair.degradations import rain_layer, quantise
    for f in clip:
        clean = f.astype(np.float32) / 255
        streaks = rain_layer(432, 768, np.random.default_rng(rng.integers(1 << 31)), angle=8.0)[..., None]
        enc.stdin.write((quantise(clean + streaks) * 255 + 0.5).astype(np.uint8).tobytes())
    enc.stdin.close()
    if enc.wait() != 0:
        sys.exit("ffmpeg failed")
    print("wrote", out, "and", len(DEGRADE), "frames")


if __name__ == "__main__":
    main()
