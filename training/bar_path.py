#!/usr/bin/env python3
"""Issue 8's path in numbers: each bar's value along the shipped model's plain-training lineage
(v1 -> v2 -> v3 -> v8 -> v10: the same balanced synthesis, continued), fitted against the training
pixels seen (log2), and extrapolated to the bar: how many more doublings, and what they cost in
hours of this machine's 2 CPU cores and in minutes of the GPU burst's rate.

    /usr/bin/python3 training/bar_path.py [--json OUT]

Reads the model card's validation files (models/history/*-val.json, models/daair-s-val.json). The
extrapolation is a straight line in log compute through five points; PSNR against compute bends
down as a model fills up, so the hours are a lower bound, for this small model (daair-s) whose
capacity may end below a bar first.
"""
from __future__ import annotations

import argparse
import json
import math
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "models")


@dataclass(frozen=True)
class Stage:
    """One training run of the lineage: what it added (steps of batch x crop x crop)."""
    name: str
    val_json: str                              # relative to models/
    sigma50_json: str                          # McMaster denoise at sigma 50 (evaluate.py --denoise-sigma 50)
    segments: Tuple[Tuple[int, int, int], ...]  # (steps, batch, crop)
    note: str


# The plain lineage (models/README.md, "Training"): every stage continues the previous one's weights
# with the balanced synthesis of v1. v14 (expert fine-tunes under camera noise) is shown beside it,
# not fitted: it changed the recipe, not only the compute.
LINEAGE: Sequence[Stage] = (
    Stage("v1", "history/daair-s-v1-val.json", "history/daair-s-v1-McMaster-sigma50-val.json",
          ((4000, 8, 64), (1600, 8, 96)), "5,600 steps, CPU"),
    Stage("v2", "history/daair-s-v2-val.json", "history/daair-s-v2-McMaster-sigma50-val.json",
          ((2500, 8, 96),), "+2,500 steps, CPU"),
    Stage("v3", "history/daair-s-v3-val.json", "history/daair-s-v3-McMaster-sigma50-val.json",
          ((1500, 8, 128),), "+1,500 steps, CPU"),
    Stage("v8", "history/daair-s-v8-val.json", "history/daair-s-v8-McMaster-sigma50-val.json",
          ((1200, 8, 128),), "+1,200 steps, CPU"),
    Stage("v10", "history/daair-s-v10-val.json", "history/daair-s-v10-McMaster-sigma50-val.json",
          ((2111, 16, 192),), "+2,111 steps, one GPU"),
)
SHIPPED = Stage("v14", "daair-s-val.json", "../bench/results/val-2026-12-04-v14-denoise-sigma50.json",
                ((900, 8, 160), (900, 8, 160), (600, 8, 128)),
                "+ expert and router fine-tunes (not fitted)")

# A check of the line, not fitted: v14 continued on one GPU with the lineage's plain synthesis
# (session 17, configs/daair-s-v20-gpu.yaml). Its pixels count on top of v14's fine-tunes.
CHECK = Stage("v20", "history/daair-s-v20-candidate-val.json", "history/daair-s-v20-McMaster-sigma50-val.json",
              ((2446, 16, 192),), "v14 + 2,446 steps, one GPU, session 17")

# Throughput, training pixels an hour, from the model card: v8's 1,200 steps of 8 x 128 px took
# 0.94 h on the 2 cores; v10's 2,111 steps of 16 x 192 px took 423 s on one H200 (shared with the
# paper-size model's burst).
CPU_PIXELS_PER_HOUR = 1200 * 8 * 128 * 128 / 0.94
GPU_PIXELS_PER_HOUR = 2111 * 16 * 192 * 192 / (423 / 3600)


@dataclass(frozen=True)
class Bar:
    name: str
    row: str          # set/degradation in the val json
    target: float     # dB, absolute or over the input
    over_input: bool
    coarse_only: bool  # a dehaze row: comparable only between evaluations through the coarse copy
    sigma50: bool = False  # read from the stage's sigma-50 file
    fit_from: str = "v1"   # the first stage of the fit: where the recipe for this row last changed


BARS: Sequence[Bar] = (
    Bar("Kodak24 sigma 25 >= 30.0 dB", "Kodak24/denoise", 30.0, False, False),
    Bar("McMaster sigma 50 >= 26.5 dB", "McMaster/denoise", 26.5, False, False, sigma50=True),
    # v2 changed the rain synthesis (Rain100L-like streaks): v1's rain is another recipe
    Bar("Rain100L >= 32.0 dB", "Rain100L/derain", 32.0, False, False, fit_from="v2"),
    Bar("hazy Kodak24 >= input + 10 dB", "Kodak24/dehaze", 10.0, True, True),
    Bar("hazy Urban100 >= input + 10 dB", "Urban100/dehaze", 10.0, True, True),
    Bar("blurred Kodak24 >= input + 4 dB", "Kodak24/deblur", 4.0, True, False),
    Bar("low-light Kodak24 >= input + 8 dB", "Kodak24/lowlight", 8.0, True, False),
)


def pixels(segments: Sequence[Tuple[int, int, int]]) -> float:
    return float(sum(s * b * c * c for s, b, c in segments))


def load(stage: Stage) -> Dict[bool, dict]:
    """The stage's validation files, by sigma50."""
    out = {}
    for key, name in ((False, stage.val_json), (True, stage.sigma50_json)):
        with open(os.path.join(MODELS, name)) as f:
            out[key] = json.load(f)
    return out


def value(vals: Dict[bool, dict], bar: Bar) -> Optional[float]:
    val = vals[bar.sigma50]
    if bar.sigma50 and val.get("denoise_sigma") != 50:
        raise ValueError(f"{bar.name}: the file is not at sigma 50")
    row = val["sets"].get(bar.row)
    if row is None:
        return None
    if bar.coarse_only and val.get("coarse_side") in (None, 0):
        return None    # dehazed at full size (before the coarse copy): another function
    return row["psnr"] - row["psnr_in"] if bar.over_input else row["psnr"]


def fit(xs: List[float], ys: List[float]) -> Tuple[float, float]:
    """Least squares y = a + b x."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx > 0 else 0.0
    return my - b * mx, b


def project(pixels_seen: float, value_now: float, db_per_doubling: float, target: float) -> Tuple[float, float]:
    """Doublings of the training pixels to the target along the line, and the pixels they make."""
    doublings = (target - value_now) / db_per_doubling
    return doublings, pixels_seen * 2 ** doublings


def path(lineage: Sequence[Stage] = LINEAGE, bars: Sequence[Bar] = BARS,
         check: Optional[Stage] = CHECK) -> Dict[str, dict]:
    cumulative, total = [], 0.0
    for s in lineage:
        total += pixels(s.segments)
        cumulative.append(total)
    vals = [load(s) for s in lineage]
    shipped = load(SHIPPED)
    check_px = total + pixels(SHIPPED.segments) + pixels(check.segments) if check else None
    check_vals = load(check) if check else None
    out: Dict[str, dict] = {}
    for bar in bars:
        first = [s.name for s in lineage].index(bar.fit_from)
        pts = [(math.log2(px), value(v, bar)) for px, v in list(zip(cumulative, vals))[first:]]
        pts = [(x, y) for x, y in pts if y is not None]
        r = {"target": bar.target, "over_input": bar.over_input,
             "points": {s.name: value(v, bar) for s, v in zip(lineage, vals)}, "fit_from": bar.fit_from,
             "v14": value(shipped, bar)}
        last = pts[-1][1]
        if last >= bar.target:
            r["status"] = "met"
        elif len(pts) < 3:
            r["status"] = "too few comparable points"
        else:
            a, b = fit([x for x, _ in pts], [y for _, y in pts])
            r["db_per_doubling"] = b
            if check:   # the line carried from the last point to the check's pixels, against it
                r["check"] = {"name": check.name, "pixels": check_px,
                              "line": last + b * math.log2(check_px / cumulative[-1]),
                              "measured": value(check_vals, bar)}
            if b < 0.05:
                r["status"] = "no slope: more of the same training does not reach it"
            else:
                doublings, need = project(cumulative[-1], last, b, bar.target)
                r.update(status="extrapolated", doublings=doublings, pixels_needed=need,
                         cpu_hours=(need - cumulative[-1]) / CPU_PIXELS_PER_HOUR,
                         gpu_minutes=(need - cumulative[-1]) / GPU_PIXELS_PER_HOUR * 60)
        out[bar.name] = r
    out["_lineage"] = {s.name: {"pixels": px, "note": s.note} for s, px in zip(lineage, cumulative)}
    if check:
        out["_check"] = {"name": check.name, "pixels": check_px, "note": check.note}
    return out


def render(result: Dict[str, dict]) -> str:
    lin = result["_lineage"]
    names = list(lin)
    lines = ["training pixels seen (cumulative): " + ", ".join(f"{n} {lin[n]['pixels'] / 1e9:.2f} G" for n in names),
             f"rates: CPU (2 cores) {CPU_PIXELS_PER_HOUR / 1e6:.0f} M px/h, GPU burst {GPU_PIXELS_PER_HOUR / 1e9:.1f} G px/h",
             "",
             "| bar | " + " | ".join(names) + " | v14 | dB per doubling | doublings to the bar | CPU hours | GPU minutes |",
             "|---|" + "---|" * (len(names) + 5)]
    for bar, r in result.items():
        if bar.startswith("_"):
            continue
        cells = ["" if r["points"][n] is None else f"{r['points'][n]:.2f}" for n in names]
        v14 = "" if r["v14"] is None else f"{r['v14']:.2f}"
        slope = f"{r['db_per_doubling']:.2f}" if "db_per_doubling" in r else ""
        if r["status"] == "extrapolated":
            tail = [f"{r['doublings']:.1f}", f"{r['cpu_hours']:,.0f}", f"{r['gpu_minutes']:,.0f}"]
        else:
            tail = [r["status"], "", ""]
        lines.append(f"| {bar} | " + " | ".join(cells) + f" | {v14} | {slope} | " + " | ".join(tail) + " |")
    if "_check" in result:
        c = result["_check"]
        lines += ["", f"check, not fitted: {c['name']} at {c['pixels'] / 1e9:.2f} G px ({c['note']}): the line "
                  f"carried from {names[-1]} to its pixels, against what it measures", "",
                  f"| bar | {names[-1]} | line at {c['name']} | {c['name']} measured | measured - line |", "|---|---|---|---|---|"]
        for bar, r in result.items():
            if bar.startswith("_") or "check" not in r or r["check"]["measured"] is None:
                continue
            k = r["check"]
            lines.append(f"| {bar} | {r['points'][names[-1]]:.2f} | {k['line']:.2f} | {k['measured']:.2f} | "
                         f"{k['measured'] - k['line']:+.2f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", help="also write the numbers here")
    args = ap.parse_args()
    result = path()
    print(render(result))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
