#!/usr/bin/python3
"""Write validation pairs exactly as the model card's validation builds them (training/daair/data.py:
seeded synthetic degradations of Kodak24 / McMaster / Urban100, centre-cropped to a multiple of 16,
denoise at sigma 25; the real Rain100L pairs) as PNG folders, so other tools - `./daair eval` - can
measure on the very images `training/evaluate.py` measures on:

    OUT/<set>-<degradation>/clean/<name>.png
    OUT/<set>-<degradation>/degraded/<name>.png

The degraded images are already on the 8-bit grid in data.py (degradations.quantise), and the clean
ones come from 8-bit files, so the PNGs hold exactly the arrays evaluate.py feeds the model.

    /usr/bin/python3 training/export_val_pairs.py --out /tmp/valpairs Kodak24/denoise Kodak24/dehaze [--limit 8]
    ./daair eval --clean /tmp/valpairs/Kodak24-denoise/clean --degraded /tmp/valpairs/Kodak24-denoise/degraded --task denoise
    /usr/bin/python3 training/evaluate.py --weights models/daair-s.pt --sets Kodak24 --degradations denoise --fixed-route
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from daair.data import FULL_VAL_SETS, rain100l_val, synthetic_val  # noqa: E402
from daair.degradations import DEGRADE  # noqa: E402

DEFAULT_VAL = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data", "val"))


def items_for(val_dir: str, spec: str, limit: int | None):
    """SET/DEGRADATION -> the ValItems full_val_set would build for it (the first `limit` of them)."""
    try:
        set_name, degradation = spec.split("/")
    except ValueError:
        raise SystemExit(f"export_val_pairs: error: '{spec}' is not SET/DEGRADATION, e.g. Kodak24/denoise")
    if set_name not in FULL_VAL_SETS:
        raise SystemExit(f"export_val_pairs: error: unknown set '{set_name}'; known: {', '.join(FULL_VAL_SETS)}")
    if set_name == "Rain100L" or degradation == "derain":
        if (set_name, degradation) != ("Rain100L", "derain"):
            raise SystemExit("export_val_pairs: error: derain is validated on Rain100L only (Rain100L/derain)")
        return rain100l_val(val_dir, limit=limit)
    if degradation not in DEGRADE:
        raise SystemExit(f"export_val_pairs: error: unknown degradation '{degradation}'; known: {', '.join(DEGRADE)}")
    return synthetic_val(val_dir, set_name, degradation, limit=limit, sigma=25.0 if degradation == "denoise" else None)


def to_png(img: np.ndarray, path: str) -> None:
    u8 = np.round(np.clip(img, 0.0, 1.0) * 255.0).astype(np.uint8)
    Image.fromarray(u8, "RGB").save(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("specs", nargs="+", metavar="SET/DEGRADATION", help="e.g. Kodak24/denoise McMaster/dehaze Rain100L/derain")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--val-dir", default=DEFAULT_VAL)
    ap.add_argument("--limit", type=int, help="only the first N images of each set (path order, as evaluate.py --limit)")
    args = ap.parse_args()
    for spec in args.specs:
        items = items_for(args.val_dir, spec, args.limit)
        folder = os.path.join(args.out, spec.replace("/", "-"))
        for sub in ("clean", "degraded"):
            os.makedirs(os.path.join(folder, sub), exist_ok=True)
        for it in items:
            stem = os.path.splitext(it.name)[0]
            to_png(it.clean, os.path.join(folder, "clean", stem + ".png"))
            to_png(it.degraded, os.path.join(folder, "degraded", stem + ".png"))
        print(f"{folder}: {len(items)} pairs")


if __name__ == "__main__":
    main()
