#!/usr/bin/python3
"""Make the temporal-stability test clip (issue #9) from the CC-BY 4.0 car-park clip.

    /usr/bin/python3 training/make_temporal_clip.py [--clip ../shared/data/video/car-detection.mp4]

Writes samples/temporal/car-park-clean.mp4 (the ground truth: 96 frames of the clip from frame 40,
384x216, 12.5 fps; a car drives in and parks) and samples/temporal/car-park-degraded.mp4, the same frames degraded in a way
that is coherent over time, as weather is:

  frames  0-31  rain: one streak layer (Rain100L-like, the training synthesis) that falls 29 px per
                frame, so each streak moves down the picture rather than flashing anew;
  frames 32-63  haze: one depth map for the scene, the haze density drifting slowly (a sine over
                the segment) and a fixed airlight;
  frames 64-95  sensor noise, sigma 20/255, fresh in every frame;
  every frame   light sensor noise, sigma 4/255, fresh in every frame.

Both are H.264: the ground truth near-lossless (crf 6, 4:4:4), the degraded clip as a camera would
send it (crf 14, 4:2:0). Seeded: the same command makes the same files.
"""
import argparse
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from daair.degradations import depth_proxy, quantise, rain_layer  # noqa: E402

ROOT = os.path.dirname(HERE)
W, H, N, START, FPS = 384, 216, 96, 40, "12.5"


def read_frames(clip, start=START, n=N):
    """Frames start .. start + n - 1 of CLIP, scaled to W x H, as floats in [0, 1].

    The selected frames are renumbered (setpts) so they are written one after the other: with
    their own timestamps, ffmpeg's constant-rate output filled the time before START with copies
    of frame START, and until session 11 the clip began with 41 copies of one frame."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", clip, "-vf",
                          f"select=gte(n\\,{start}),setpts=N/FRAME_RATE/TB,scale={W}:{H}",
                          "-frames:v", str(n), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, H, W, 3).astype(np.float32) / 255.0


def write(path, frames, crf, pix_fmt):
    data = (np.clip(frames, 0, 1) * 255 + 0.5).astype(np.uint8).tobytes()
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{W}x{H}", "-r", FPS,
                    "-i", "-", "-c:v", "libx264", "-crf", str(crf), "-preset", "slow", "-pix_fmt", pix_fmt,
                    "-colorspace", "bt470bg", "-color_primaries", "bt470bg", "-color_trc", "smpte170m",
                    "-color_range", "tv", path], input=data, check=True)


def degrade(clean, rng):
    out = np.empty_like(clean)
    # rain: one tall streak layer scrolled down a little more each frame
    speed = 29
    layer = rain_layer(H + speed * 32, W, rng)
    for t in range(32):
        out[t] = clean[t] + layer[speed * (31 - t): speed * (31 - t) + H][..., None]
    # haze: fixed depth and airlight, density drifting slowly
    depth = depth_proxy(H, W, clean[32], rng)
    depth = 0.2 + 0.8 * depth
    airlight = np.array([0.86, 0.87, 0.89], np.float32)
    for t in range(32, 64):
        beta = 1.2 + 0.4 * np.sin(2 * np.pi * (t - 32) / 32)
        trans = np.exp(-beta * depth)[..., None]
        out[t] = clean[t] * trans + airlight * (1 - trans)
    # noise
    for t in range(64, 96):
        out[t] = clean[t] + rng.standard_normal(clean[t].shape).astype(np.float32) * (20 / 255)
    out += rng.standard_normal(out.shape).astype(np.float32) * (4 / 255)
    return np.stack([quantise(np.clip(f, 0, 1)) for f in out])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clip", default=os.path.join(ROOT, "..", "shared", "data", "video", "car-detection.mp4"))
    ap.add_argument("--out", default=os.path.join(ROOT, "samples", "temporal"))
    ap.add_argument("--start", type=int, default=START, help="first frame of the clip (a tuning clip: another start)")
    ap.add_argument("--seed", type=int, default=9)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    clean = read_frames(args.clip, args.start)
    assert clean.shape[0] == N, clean.shape
    degraded = degrade(clean, np.random.default_rng(args.seed))
    write(os.path.join(args.out, "car-park-clean.mp4"), clean, 6, "yuv444p")
    write(os.path.join(args.out, "car-park-degraded.mp4"), degraded, 14, "yuv420p")
    for name in ("car-park-clean.mp4", "car-park-degraded.mp4"):
        p = os.path.join(args.out, name)
        print(f"{p}: {os.path.getsize(p) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
