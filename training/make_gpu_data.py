#!/usr/bin/python3
"""Make ../.gpu-data: what a GPU burst (gpu_burst.sh) needs, small enough to travel (< ~52 MB).

    /usr/bin/python3 training/make_gpu_data.py

train/: every training photo as JPEG q90 (4:4:4), long side <= 768 (the sampler rescales by
0.5-1 anyway). val/: Kodak24 and Rain100L whole (lossless, for the blind evaluation there) and the
two Urban100 images of the quick validation, centre-cropped to 256 exactly as quick_val_set crops
them, so quick-val numbers there equal the ones here.
"""
import os
import shutil
import sys

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from daair.data import list_images  # noqa: E402

SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data"))
DST = os.path.normpath(os.path.join(HERE, "..", ".gpu-data"))


def main():
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
    for s in ("Kodak24", "Rain100L"):
        shutil.copytree(os.path.join(val, s), os.path.join(DST, "val", s))
    os.makedirs(os.path.join(DST, "val", "Urban100"))
    for p in list_images(os.path.join(val, "Urban100"))[:2]:
        im = Image.open(p).convert("RGB")
        w, h = im.size
        x, y = (w - min(256, w)) // 2, (h - min(256, h)) // 2
        im.crop((x, y, x + 256, y + 256)).save(os.path.join(DST, "val", "Urban100", os.path.basename(p)))
    print(DST)


if __name__ == "__main__":
    main()
