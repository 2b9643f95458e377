#!/usr/bin/python3
"""The temporal clip's scores by segment, read from `./daair eval --json` output (issue #9).

    /usr/bin/python3 training/temporal_segments.py bench/results/temporal-2026-11-28-v14.json [more.json ...]

For each file: the clip's line (PSNR per frame, stabilised, on moving pixels frame by frame ->
stabilised; flicker / clean,
stabilised and for the bound), then one line per segment of make_temporal_clip.py's clip (rain,
the switch to haze, haze, noise): its still pixels, flicker / clean frame by frame and stabilised
(pooled over still pixels, as the clip's flicker is), its share of the stabilised flicker, mean
PSNR frame by frame and stabilised, and (in eval outputs since session 12) PSNR over the pixels where
the clean clip moves, frame by frame and stabilised, pooled as the clip's is: where the stabiliser
smears motion. Frame 0 has no flicker; the switch to noise (frame 64) counts with the noise, where
the clip's frames are noisy from it on. Last, the clip's flicker as a sum of the restarts' parts
(RESTARTS) and the rest's.
"""
from __future__ import annotations

import argparse
import json
import math

# make_temporal_clip.py: rain 0-31, haze 32-63, noise 64-95; frames 32-33 are the switch
SEGMENTS = (("rain", 1, 31), ("switch", 32, 33), ("haze", 34, 63), ("noise", 64, 95))
# Where the stabiliser starts afresh on this clip, or may: the stream's first frames (its warm-up is
# the mean of the frames so far), the switch to noise (haze leaves the input in one frame: a scene
# cut since session 12) and the warm-up after it. The flicker metric is an L1 change, so going from
# one restoration of the scene to another costs their difference however the way is spread over
# frames (session 13); these spans are told apart from the rest for that reason.
RESTARTS = (("start", 1, 5), ("cut", 64, 64), ("after the cut", 65, 70))


def contributions(result: dict) -> list[tuple[str, float]]:
    """The clip's stabilised flicker / clean as a sum: each RESTARTS span's part, then the rest's."""
    frames = result["frameScores"]
    scale = sum(f["stillPixels"] for f in frames) * result["flickerClean"]
    parts = []
    for name, a, b in RESTARTS:
        parts.append(("%s %d-%d" % (name, a, b) if a != b else "%s %d" % (name, a),
                      sum(f["flickerStabilized"] * f["stillPixels"] for f in frames if a <= f["index"] <= b) / scale))
    total = sum(f["flickerStabilized"] * f["stillPixels"] for f in frames) / scale
    parts.append(("the rest", total - sum(p for _, p in parts)))
    return parts


def pooled_psnr(se: float, values: int) -> float:
    """8-bit PSNR of summed squared errors over VALUES values (NaN when there are none), as Flicker.pooledPsnr."""
    return 10 * math.log10(255.0 ** 2 / max(se / values, 1e-10)) if values else float("nan")


def segments(result: dict) -> list[dict]:
    """Per segment: still pixels, flicker / clean (restored, stabilised), share, mean PSNRs, moving-pixel PSNRs."""
    frames = result["frameScores"]
    clean = result["flickerClean"]
    total = sum(f["flickerStabilized"] * f["stillPixels"] for f in frames)
    out = []
    for name, a, b in SEGMENTS:
        fs = [f for f in frames if a <= f["index"] <= b]
        if not fs:
            continue
        still = sum(f["stillPixels"] for f in fs)
        restored = sum(f["flickerRestored"] * f["stillPixels"] for f in fs)
        stabilised = sum(f["flickerStabilized"] * f["stillPixels"] for f in fs)
        out.append({"segment": name, "frames": (a, b), "still": still,
                    "restored": restored / max(still, 1) / clean, "stabilized": stabilised / max(still, 1) / clean,
                    "share": stabilised / total if total else 0.0,
                    "psnrRestored": sum(f["restored"] for f in fs) / len(fs),
                    "psnrStabilized": sum(f["stabilized"] for f in fs) / len(fs)})
        if "movingValues" in fs[0]:   # eval outputs since session 12
            n = sum(f["movingValues"] for f in fs)
            out[-1].update(moving=n // 3, movingRestored=pooled_psnr(sum(f["movingSeRestored"] for f in fs), n),
                           movingStabilized=pooled_psnr(sum(f["movingSeStabilized"] for f in fs), n))
    return out


def summary(result: dict) -> str:
    c = result["flickerClean"]
    lines = ["per frame %.2f dB, stabilised %.2f dB, moving pixels %.2f -> %.2f dB, flicker %.2fx, bound %.2fx" % (
        result["perFrame"]["psnr"], result["stabilized"]["psnr"], result["perFrame"]["psnrMoving"],
        result["stabilized"]["psnrMoving"],
        result["stabilized"]["flicker"] / c, result["stabilizedCleanMotion"]["flicker"] / c)]
    for s in segments(result):
        line = ("  %-6s %2d-%2d  still %8d  flicker per frame %5.1fx  stabilised %5.2fx  share %3.0f%%  "
                "PSNR per frame %.2f  stabilised %.2f" % (
                    s["segment"], s["frames"][0], s["frames"][1], s["still"], s["restored"], s["stabilized"],
                    100 * s["share"], s["psnrRestored"], s["psnrStabilized"]))
        if "moving" in s:
            line += "  moving %7d  %.2f -> %.2f" % (s["moving"], s["movingRestored"], s["movingStabilized"])
        lines.append(line)
    lines.append("  flicker as a sum: " + " + ".join("%s %.2fx" % p for p in contributions(result)))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json", nargs="+", help="./daair eval --json outputs of the temporal clip")
    args = ap.parse_args()
    for path in args.json:
        with open(path) as f:
            print(path + ": " + summary(json.load(f)["result"]))


if __name__ == "__main__":
    main()
