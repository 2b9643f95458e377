#!/usr/bin/python3
"""Make ../.gpu-data: what a GPU burst (gpu_burst.sh) needs, small enough to travel.

    /usr/bin/python3 training/make_gpu_data.py [--daair-init runs/daair-gpu-burst/best.pt]

A device call carries at most 64 MiB, the tracked tree included (see gpu_burst.sh for how the
shipped graphs are kept out of it). So:
train/: every training photo as JPEG q90 (4:4:4), long side <= 768 (the sampler rescales by
0.5-1 anyway). val/: only the images of the quick validation (`quick_val_set`), centre-cropped to
256 exactly as it crops them, so the quick-val numbers there equal the ones here. The full
validation runs here on the CPU, on the checkpoints that come back.
--daair-init: the paper-size model's weights from the last GPU burst, without optimizer state, so
the next burst continues it instead of starting from scratch (daair-init.pt).
"""
import argparse
import os
import shutil
import sys

import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from daair import checkpoint  # noqa: E402
from daair.data import list_images  # noqa: E402

SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data"))
DST = os.path.normpath(os.path.join(HERE, "..", ".gpu-data"))
QUICK_CROP = 256


def centre_crop(im: Image.Image, side: int) -> Image.Image:
    w, h = im.size
    x, y = (w - min(side, w)) // 2, (h - min(side, h)) // 2
    return im.crop((x, y, x + min(side, w), y + min(side, h)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--daair-init", help="checkpoint of the paper-size daair to continue on the GPU")
    ap.add_argument("--per-set", type=int, default=4, help="quick validation's per_set (the configs' val_per_set)")
    args = ap.parse_args()

    shutil.rmtree(DST, ignore_errors=True)
    src = os.path.join(SHARED, "train")
    for p in list_images(src):
        q = os.path.join(DST, "train", os.path.splitext(os.path.relpath(p, src))[0] + ".jpg")
        os.makedirs(os.path.dirname(q), exist_ok=True)
        im = Image.open(p).convert("RGB")
        if max(im.size) > 768:
            s = 768 / max(im.size)
            im = im.resize((round(im.size[0] * s), round(im.size[1] * s)), Image.LANCZOS)
        im.save(q, quality=90, subsampling=0)
    val = os.path.join(SHARED, "val")
    # the quick validation reads the first per_set Kodak24 images, per_set // 2 Urban100 images and
    # 2 * per_set Rain100L pairs (data.quick_val_set); lossless crops of exactly those
    picks = [("Kodak24", list_images(os.path.join(val, "Kodak24"))[:args.per_set]),
             ("Urban100", list_images(os.path.join(val, "Urban100"))[:args.per_set // 2])]
    rainy = list_images(os.path.join(val, "Rain100L", "rainy"))[:2 * args.per_set]
    picks += [("Rain100L/rainy", rainy),
              ("Rain100L/norain", [os.path.join(val, "Rain100L", "norain", "no" + os.path.basename(p)) for p in rainy])]
    for folder, paths in picks:
        os.makedirs(os.path.join(DST, "val", folder))
        for p in paths:
            out = os.path.join(DST, "val", folder, os.path.splitext(os.path.basename(p))[0] + ".png")
            centre_crop(Image.open(p).convert("RGB"), QUICK_CROP).save(out)
    if args.daair_init:
        ck = checkpoint.read(args.daair_init)
        keep = {k: v for k, v in ck.items() if k != "optimizer"}
        torch.save(keep, os.path.join(DST, "daair-init.pt"))
    print(DST)


if __name__ == "__main__":
    main()
