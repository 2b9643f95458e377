#!/usr/bin/python3
"""Where the dehaze expert falls short on one validation set: per hazy image, the input's and the
output's PSNR (restored as the engine does, route fixed to dehaze, coarse-to-fine), how much
brighter than the clean image the input and the output are (haze left in shows as a positive
mean), and the PSNR of the coarse output after the best per-channel gain and offset against the
clean coarse image (an oracle: how much of the error is one global colour correction).

    /usr/bin/python3 training/haze_residual.py [--weights models/daair-s.pt] [--set Urban100]
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from daair import coarse  # noqa: E402
from daair.data import full_val_set  # noqa: E402
from daair.metrics import psnr, restore_array  # noqa: E402
from export import load_checkpoint  # noqa: E402


def best_affine(out: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """out with each channel mapped by the least-squares a x + b onto ref."""
    fitted = np.empty_like(out)
    for c in range(3):
        x, y = out[..., c].ravel(), ref[..., c].ravel()
        a, b = np.polyfit(x, y, 1)
        fitted[..., c] = a * out[..., c] + b
    return np.clip(fitted, 0, 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", default=os.path.join(HERE, "..", "models", "daair-s.pt"))
    ap.add_argument("--val-dir", default=os.path.join(HERE, "..", "..", "shared", "data", "val"))
    ap.add_argument("--set", default="Urban100")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model = load_checkpoint(args.weights).eval()
    k = list(model.cfg.degradations).index("dehaze")
    items = [it for it in full_val_set(args.val_dir, model.cfg.degradations, sets=[args.set]) if it.degradation == "dehaze"]
    rows = []
    print("image | size | factor | input dB | output dB | input - clean mean | output - clean mean | coarse output dB | after best colour fit dB")
    for it in items:
        hazy, clean = it.degraded, it.clean
        f = coarse.factor(*hazy.shape[:2])
        small, small_clean = coarse.downscale(hazy, f), coarse.downscale(clean, f)
        small_out = np.clip(restore_array(model, small, route=k), 0, 1)
        out = small_out if f == 1 else coarse.transfer(small, small_out, hazy, f)
        row = (psnr(hazy, clean), psnr(out, clean), float(hazy.mean() - clean.mean()), float(out.mean() - clean.mean()),
               psnr(small_out, small_clean), psnr(best_affine(small_out, small_clean), small_clean))
        rows.append(row)
        print(f"{os.path.basename(it.name)} | {hazy.shape[1]}x{hazy.shape[0]} | {f} | {row[0]:.2f} | {row[1]:.2f} | "
              f"{row[2]:+.3f} | {row[3]:+.3f} | {row[4]:.2f} | {row[5]:.2f}", flush=True)
    m = np.mean(rows, axis=0)
    print(f"mean ({len(rows)} images) | | | {m[0]:.2f} | {m[1]:.2f} | {m[2]:+.3f} | {m[3]:+.3f} | {m[4]:.2f} | {m[5]:.2f}")


if __name__ == "__main__":
    main()
