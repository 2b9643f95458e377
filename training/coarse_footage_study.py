#!/usr/bin/python3
"""Where the coarse dehazing copy helps and where it hurts: hazy training photos beside hazy frames
of the overhead sample clip, each dehazed at full size and through the rule's copy
(daair/coarse.py), with cheap statistics of the hazy frame that a rule could read.

    /usr/bin/python3 training/coarse_footage_study.py [--weights models/daair-s.pt] [--photos 8] [--frames 6]

Why: the copy gains 1.6 dB on 480 px photos (coarse_study.py), but on the benchmark clip (an
overhead view of asphalt) it loses 5-6 dB against full size (README, Benchmark). A rule that
serves both has to tell the two apart from the hazy frame alone. Never run on validation images:
training photos (`shared/data/train`) and `samples/car-park-rain.mp4` only. Haze: the training
synthesis (`add_haze`), seeded per item; with --camera also sensor noise and H.264, as a camera
delivers it.

Statistics (luma of the hazy frame, at full size and on the copy):
- `detail`: mean absolute Laplacian of the copy, a measure of the texture the network sees there;
- `detail_ratio`: the copy's `detail` over the full frame's, per pixel of the copy (how much
  texture the downscale keeps, 1 = as much);
- `contrast`: standard deviation of the hazy luma;
- `gap`: mean luma of the copy path's output minus the network's output at native resolution, on
  the central 256x256 crop (one extra run of the network on a crop, as the classifier does):
  negative when the copy dehazes that region more.
Besides full size and the copy (unguarded), `calib`: the copy's output corrected per channel by the
affine map that takes its central crop to the native-resolution output there (`coarse.calibrate`);
`guardG`: the engine's path with `engine.coarse_guard: true` and `engine.coarse_guard_gap: G`
(session 10; `coarse.restore(..., guard=True, guard_gap=G)`: the copy, pulled toward `calib` as
gap falls from -G to -2G; `--guard-gaps` lists the Gs).
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from daair import camera, coarse, video  # noqa: E402
from daair.degradations import add_haze, add_sensor_noise  # noqa: E402
from daair.metrics import psnr  # noqa: E402
from coarse_study import dehaze_runner, training_photos  # noqa: E402


def luma(img: np.ndarray) -> np.ndarray:
    return img @ np.array([0.299, 0.587, 0.114], np.float32)


def detail(y: np.ndarray) -> float:
    lap = 4 * y[1:-1, 1:-1] - y[:-2, 1:-1] - y[2:, 1:-1] - y[1:-1, :-2] - y[1:-1, 2:]
    return float(np.abs(lap).mean())


def clip_frames(path: str, height: int, count: int, first: int = 0) -> list:
    """COUNT frames spread over the clip from frame FIRST, scaled to HEIGHT (width even, aspect kept),
    converted to RGB as the engine converts (daair/video.py)."""
    w0, h0, n = video.probe(path)
    w = int(round(w0 * height / h0 / 2)) * 2
    step = max(1, (n - first) // count)
    return list(video.read_rgb(path, select=f"gte(n\\,{first})*not(mod(n-{first}\\,{step}))",
                               size=(w, height), count=count))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", default=os.path.join(HERE, "..", "models", "daair-s.pt"))
    ap.add_argument("--train-dir", default=os.path.join(HERE, "..", "..", "shared", "data", "train"))
    ap.add_argument("--clip", default=os.path.join(HERE, "..", "samples", "car-park-rain.mp4"))
    ap.add_argument("--photos", type=int, default=8, help="photos per group (>= 1000 px long, < 1000 px)")
    ap.add_argument("--frames", type=int, default=6, help="clip frames per height (240, 432)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=3000, help="item i is hazed with seed SEED + i")
    ap.add_argument("--offset", type=int, default=7, help="which training photos (another offset: other photos)")
    ap.add_argument("--frame-offset", type=int, default=0, help="first clip frame taken (another: other frames)")
    ap.add_argument("--gap", type=float, default=-0.12,
                    help="the rule to check: full size (or the calibrated copy) where gap is below this")
    ap.add_argument("--guard-gaps", default=str(coarse.GUARD_GAP),
                    help="comma-separated: a guard column per gap (engine.coarse_guard_gap; default %(default)s)")
    ap.add_argument("--camera", action="store_true", help="hazy items also get sensor noise (sigma 4 steps) and an "
                    "H.264 round trip at CRF 14 (camera.h264), as the temporal clip's frames have")
    args = ap.parse_args()
    gaps = [float(g) for g in args.guard_gaps.split(",")]
    run = dehaze_runner(args.weights, args.threads)
    items = []
    for large in (True, False):
        for path in training_photos(args.train_dir, large, args.photos, offset=args.offset):
            img = np.asarray(Image.open(path).convert("RGB"), np.float32) / 255
            items.append((f"photo {os.path.basename(path)}", img[:img.shape[0] // 16 * 16, :img.shape[1] // 16 * 16]))
    for height in (240, 432):
        for i, fr in enumerate(clip_frames(args.clip, height, args.frames, args.frame_offset)):
            items.append((f"clip {height}p #{i}", fr[:fr.shape[0] // 16 * 16, :fr.shape[1] // 16 * 16]))

    guard_heads = " ".join(f"{'guard' + format(g, 'g'):>9s}" for g in gaps)
    print(f"{'item':32s} {'size':>9s} {'f':>2s} {'full dB':>8s} {'copy dB':>8s} {'calib dB':>8s} {guard_heads} {'detail':>7s} {'ratio':>6s} {'contrast':>8s} {'gap':>7s}")
    rows = []
    for i, (name, clean) in enumerate(items):
        hazy, _ = add_haze(clean, np.random.default_rng(args.seed + i))
        if args.camera:   # as a camera delivers it: sensor noise, then H.264 (as the temporal clip)
            hazy = camera.h264(add_sensor_noise(hazy, np.random.default_rng(args.seed + 1000 + i), 4), 14)
        h, w = hazy.shape[:2]
        f = coarse.factor(h, w)
        base = psnr(hazy, clean)
        full = psnr(np.clip(run(hazy), 0, 1), clean) - base
        via_copy = coarse.restore(run, hazy, guard=False) if f > 1 else None
        copy = psnr(via_copy, clean) - base if f > 1 else full
        gap, calib, guarded = 0.0, copy, [copy] * len(gaps)
        if f > 1:
            gap, native, copy_crop = coarse.native_gap(run, hazy, via_copy)
            calibrated = coarse.calibrate(via_copy, copy_crop, native)
            calib = psnr(calibrated, clean) - base
            # engine.coarse_guard: true, at each gap (as coarse.restore(..., guard=True, guard_gap=g))
            guarded = [psnr(coarse.guarded(via_copy, calibrated, coarse.guard_weight(gap, g)), clean) - base
                       for g in gaps]
        y = luma(hazy)
        yc = luma(coarse.downscale(hazy, f)) if f > 1 else y
        d = detail(yc)
        ratio = d / max(1e-6, detail(y))
        rows.append((name, full, copy, d, ratio, float(y.std()), gap, calib, guarded))
        cells = " ".join(f"{g:+9.2f}" for g in guarded)
        print(f"{name:32s} {w:4d}x{h:<4d} {f:2d} {full:+8.2f} {copy:+8.2f} {calib:+8.2f} {cells} {d:7.4f} "
              f"{ratio:6.2f} {float(y.std()):8.3f} {gap:+7.3f}", flush=True)
    for kind in ("photo", "clip"):
        sel = [r for r in rows if r[0].startswith(kind)]
        print(f"{kind}: {len(sel)} items, mean gain full {np.mean([r[1] for r in sel]):+.2f} dB, "
              f"copy {np.mean([r[2] for r in sel]):+.2f} dB, calibrated copy {np.mean([r[7] for r in sel]):+.2f} dB; "
              f"where gap < {args.gap}: full size {np.mean([r[1] if r[6] < args.gap else r[2] for r in sel]):+.2f} dB, "
              f"calibrated copy {np.mean([r[7] if r[6] < args.gap else r[2] for r in sel]):+.2f} dB "
              f"({sum(r[6] < args.gap for r in sel)} items); guarded "
              + ", ".join(f"(gap {g:g}) {np.mean([r[8][k] for r in sel]):+.2f} dB" for k, g in enumerate(gaps)))


if __name__ == "__main__":
    main()
