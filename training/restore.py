#!/usr/bin/python3
"""Reference restore: every image of a folder into the same file names (PNG output).

    /usr/bin/python3 training/restore.py --weights models/daair-s.pt INPUT_DIR OUTPUT_DIR \
        [--task auto|denoise|derain|dehaze|deblur|lowlight]

--task auto (default) is blind: each DaLe routes by its own router. A named task fixes every DaLe
to that degradation's expert. Images routed to dehaze (by the classifier under auto) are dehazed
coarse-to-fine as the Java engine does (daair/coarse.py; --coarse-side 0: at full size). Large
images are processed whole (the network is fully convolutional with linear-cost attention); the
Java engine tiles them instead.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from daair.data import list_images, load_rgb, to_float  # noqa: E402
from daair import coarse  # noqa: E402
from daair.metrics import restore_blind, classify_array  # noqa: E402
from daair.model import DegradationClassifier  # noqa: E402
from export import load_checkpoint  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input_dir")
    ap.add_argument("output_dir")
    ap.add_argument("--weights", required=True)
    ap.add_argument("--task", default="auto")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--coarse-side", type=int, default=coarse.SIDE,
                    help="images routed to dehaze are dehazed through a copy at least this long and under twice it "
                         "(daair/coarse.py, as the Java engine does; 0: at full size)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    if not os.path.isdir(args.input_dir):
        sys.exit(f"error: input folder not found: {args.input_dir}")
    model = load_checkpoint(args.weights)
    tasks = list(model.cfg.degradations)
    if args.task != "auto" and args.task not in tasks:
        sys.exit(f"error: --task must be auto or one of {', '.join(tasks)}, not '{args.task}'")
    route = None if args.task == "auto" else tasks.index(args.task)
    clf = DegradationClassifier(model)
    paths = list_images(args.input_dir)
    if not paths:
        sys.exit(f"error: no images in {args.input_dir}")
    os.makedirs(args.output_dir, exist_ok=True)
    t0 = time.time()
    for i, p in enumerate(paths, 1):
        img = to_float(load_rgb(p))
        out = restore_blind(model, clf, img, tasks, route=route, coarse_side=args.coarse_side)
        rel = os.path.relpath(p, args.input_dir)
        dst = os.path.join(args.output_dir, os.path.splitext(rel)[0] + ".png")
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        tmp = dst + ".part.png"
        Image.fromarray((np.clip(out, 0, 1) * 255 + 0.5).astype(np.uint8)).save(tmp)
        os.replace(tmp, dst)
        label = tasks[classify_array(clf, img)] if route is None else args.task
        print(f"[{i}/{len(paths)}] {rel} -> {dst} ({label})", flush=True)
    print(f"restored {len(paths)} images in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
