#!/usr/bin/python3
"""Validation of a checkpoint, blind (task auto) unless --fixed-route: PSNR/SSIM per set and
degradation beside the degraded input's, and routing accuracy. Writes JSON and a Markdown table.

    /usr/bin/python3 training/evaluate.py --weights models/daair-s.pt [--quick] [--json out.json]
        [--sensor-noise SIGMA]

Full validation: Kodak24, McMaster, Urban100 under each synthetic degradation (seeded; denoise at
sigma 25) and the 20 real Rain100L pairs, images centre-cropped to a multiple of 16.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from daair.data import DENOISE_SIGMA, ValItem, _seed_for, full_val_set, quick_val_set, FULL_VAL_SETS  # noqa: E402
from daair.degradations import add_sensor_noise  # noqa: E402
from daair import coarse  # noqa: E402
from daair.metrics import evaluate  # noqa: E402
from export import load_checkpoint  # noqa: E402

DEFAULT_VAL = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data", "val"))


def markdown(result: dict) -> str:
    lines = ["| set / degradation | n | input PSNR | output PSNR | gain | input SSIM | output SSIM | routing acc. |",
             "|---|---|---|---|---|---|---|---|"]
    for key, v in sorted(result["sets"].items()):
        deg = key.split("/")[1]
        lines.append(f"| {key} | {v['n']} | {v['psnr_in']:.2f} | {v['psnr']:.2f} | {v['psnr'] - v['psnr_in']:+.2f} | "
                     f"{v.get('ssim_in', float('nan')):.3f} | {v.get('ssim', float('nan')):.3f} | "
                     f"{result['routing_accuracy'].get(deg, float('nan')):.3f} |")
    lines.append(f"\nRouting accuracy over all images: {result['routing_accuracy_all']:.3f}")
    return "\n".join(lines)


def with_sensor_noise(item: ValItem, sigma: float) -> ValItem:
    """ITEM with Gaussian noise of SIGMA 8-bit steps on its degraded image, seeded by its name."""
    rng = np.random.default_rng(_seed_for("sensor", item.set_name, item.degradation, item.name))
    return dataclasses.replace(item, degraded=add_sensor_noise(item.degraded, rng, sigma))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--val-dir", default=DEFAULT_VAL)
    ap.add_argument("--quick", action="store_true", help="the small subset used during training")
    ap.add_argument("--fixed-route", action="store_true", help="route by the true label (oracle task)")
    ap.add_argument("--auto-graph", action="store_true",
                    help="restore with the model's own routers (the auto graph, full size) instead of the "
                         "classifier's route, as before 2026-11-27")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--sets", default=",".join(FULL_VAL_SETS), help="comma-separated subset of the full validation")
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--degradations", help="comma-separated: only these degradations (default: all the model's)")
    ap.add_argument("--limit", type=int, help="only the first N images of each set and degradation (path order)")
    ap.add_argument("--sensor-noise", type=float, default=0,
                    help="add Gaussian noise of this sigma (8-bit steps; seeded per image, quantised) to every "
                         "degraded image, as a camera's sensor would: validation under noise (route_noise_study.py)")
    ap.add_argument("--denoise-sigma", type=float, default=DENOISE_SIGMA,
                    help="the noise of the denoise rows, in 8-bit steps (default 25; issue 8's McMaster bar is at 50)")
    ap.add_argument("--coarse-side", type=int, default=None,
                    help="frames routed to dehaze are dehazed through a frame about this long (daair/coarse.py; "
                         "default %d; 0: at full size)" % coarse.SIDE)
    args = ap.parse_args()
    if args.auto_graph and args.fixed_route:     # before the minutes of loading images
        raise SystemExit("evaluate: error: --auto-graph and --fixed-route exclude each other")
    if args.quick and args.denoise_sigma != DENOISE_SIGMA:
        raise SystemExit("evaluate: error: the quick subset's noise is sigma 25; --denoise-sigma is for the full validation")
    torch.set_num_threads(args.threads)
    model = load_checkpoint(args.weights).to(args.device)
    degs = model.cfg.degradations
    items = (quick_val_set(args.val_dir, degs) if args.quick
             else full_val_set(args.val_dir, degs, sets=args.sets.split(","), denoise_sigma=args.denoise_sigma))
    if args.degradations:
        wanted = args.degradations.split(",")
        unknown = set(wanted) - set(degs)
        if unknown:
            raise SystemExit(f"evaluate: error: the model has no degradation {sorted(unknown)}; it has {', '.join(degs)}")
        items = [it for it in items if it.degradation in wanted]
    if args.limit:
        seen = {}
        kept = []
        for it in items:
            key = (it.set_name, it.degradation)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] <= args.limit:
                kept.append(it)
        items = kept
    if args.sensor_noise > 0:
        items = [with_sensor_noise(it, args.sensor_noise) for it in items]
    t0 = time.time()
    coarse_side = coarse.SIDE if args.coarse_side is None else args.coarse_side
    r = evaluate(model, items, degs, with_ssim=True, route_fixed=args.fixed_route, coarse_side=coarse_side,
                 auto_graph=args.auto_graph)
    r["coarse_side"] = 0 if args.auto_graph else coarse_side
    r["auto_graph"] = args.auto_graph
    r["seconds"] = time.time() - t0
    r["weights"] = args.weights
    r["blind"] = not args.fixed_route
    r["sets_evaluated"] = args.sets.split(",")
    r["sensor_noise"] = args.sensor_noise
    r["denoise_sigma"] = args.denoise_sigma
    r["device"] = torch.cuda.get_device_name(0) if args.device.startswith("cuda") else "cpu"
    print(markdown(r))
    print(f"\n{len(items)} images in {r['seconds']:.0f}s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(r, f, indent=1)


if __name__ == "__main__":
    main()
