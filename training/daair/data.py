"""Training batches and validation sets.

Training: random crops (with random down-scaling for scale variety) and the 8 flip/rotate modes of
the clean photos in shared/data/train, each degraded on the fly by one of the model's degradations,
balanced across degradations. The batch of step s is a pure function of (seed, s), so a resumed run
sees exactly the batches it would have seen.

Validation: seeded synthetic degradations of Kodak24 / McMaster / Urban100 (centre-cropped to a
multiple of 16, the PromptIR protocol) and the real Rain100L pairs.
"""
from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from typing import Iterable, List, Sequence, Tuple

import numpy as np
from PIL import Image

from . import camera
from .degradations import DEGRADE, add_noise, add_sensor_noise, quantise, LABELS

IMAGE_EXT = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")


def load_rgb(path: str) -> np.ndarray:
    """uint8 HxWx3."""
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8)


def list_images(folder: str) -> List[str]:
    out = []
    for root, _, files in os.walk(folder):
        for f in files:
            if f.lower().endswith(IMAGE_EXT):
                out.append(os.path.join(root, f))
    return sorted(out)


def to_float(img: np.ndarray) -> np.ndarray:
    return img.astype(np.float32) / 255.0


def crop_multiple(img: np.ndarray, base: int = 16) -> np.ndarray:
    """Centre-crop H and W to a multiple of `base` (PromptIR's crop_img)."""
    h, w = img.shape[:2]
    nh, nw = h - h % base, w - w % base
    y, x = (h - nh) // 2, (w - nw) // 2
    return img[y:y + nh, x:x + nw]


def augment(img: np.ndarray, mode: int) -> np.ndarray:
    """One of 8 flip/rotate modes."""
    if mode & 1:
        img = img[:, ::-1]
    if mode & 2:
        img = img[::-1]
    if mode & 4:
        img = img.transpose(1, 0, 2)
    return np.ascontiguousarray(img)


def _same_crop(rng: np.random.Generator, crop: int, *images: np.ndarray):
    """One random crop x crop window, the same in every image (rows drawn before columns)."""
    h, w = images[0].shape[:2]
    cy, cx = rng.integers(0, h - crop + 1), rng.integers(0, w - crop + 1)
    return tuple(np.ascontiguousarray(im[cy:cy + crop, cx:cx + crop]) for im in images)


class TrainSampler:
    def __init__(self, train_dir: str, degradations: Sequence[str], seed: int = 0, synthesis: dict | None = None):
        """SYNTHESIS (an experiment's ``synthesis`` section, optional): ``camera_p``, the share of
        samples passed through a random camera (4:2:0, compression; camera.py), and options that
        widen a degradation (``lowlight_photons: [lo, hi]``); ``degradation_weights`` (integer
        repeats per degradation in the balanced cycle, e.g. ``{dehaze: 2}``; 0 leaves one out); ``haze_context:
        [lo, hi]``, haze synthesised over a region lo..hi times the crop's side and then cropped,
        so a crop sees the slowly varying transmission of a whole scene, as a full frame does,
        rather than the whole depth range squeezed into 128 px; ``haze_coarse: [lo, hi]``, hazy
        samples from whole photos shrunk to the engine's coarse dehazing copy (longer side lo..hi
        px), for a share ``haze_coarse_p`` of them (default all); ``haze_free_p``, the share of hazy
        samples left without haze (the target is the input); ``sensor_noise: [lo, hi]``, light
        noise on every degraded sample (sigma in 8-bit steps); ``dim_scene: {p, factor: [lo, hi],
        degradations: [...], contrast: [lo, hi] (optional)}``, for a share p of those degradations'
        samples the scene itself dimmer (clean photo and target scaled by a factor lo..hi) and, with
        ``contrast``, flatter (pulled toward its mean by that factor): an overhead car park is darker
        and flatter than most photos, yet it is no low-light picture, its exposure is the truth.
        Without them: the plain synthesis."""
        self.synthesis = synthesis or {}
        weights = self.synthesis.get("degradation_weights", {}) or {}
        unknown = set(weights) - set(degradations)
        if unknown:
            raise ValueError(f"degradation_weights names {sorted(unknown)}, not in this model's {list(degradations)}")
        # the balanced cycle: each degradation's index repeated by its weight (default 1)
        self.cycle = [k for k, d in enumerate(degradations) for _ in range(int(weights.get(d, 1)))]
        if not self.cycle:
            raise ValueError("degradation_weights leave out every degradation")
        paths = list_images(train_dir)
        if not paths:
            raise FileNotFoundError(f"no training images under {train_dir}")
        self.images = [load_rgb(p) for p in paths]
        self.degradations = list(degradations)
        self.seed = seed

    def sample(self, rng: np.random.Generator, crop: int, name: str) -> Tuple[np.ndarray, np.ndarray]:
        img = self.images[rng.integers(len(self.images))]
        h, w = img.shape[:2]
        # random scale in [0.5, 1] half of the time: variety of object sizes and less JPEG grain
        scale = rng.uniform(0.5, 1.0) if rng.random() < 0.5 else 1.0
        if name == "dehaze" and "haze_coarse" in self.synthesis and (
                "haze_coarse_p" not in self.synthesis or rng.random() < self.synthesis["haze_coarse_p"]):
            return self._coarse_haze_sample(rng, img, crop)
        context = 1.0
        if name == "dehaze" and "haze_context" in self.synthesis:
            lo, hi = self.synthesis["haze_context"]
            context = rng.uniform(float(lo), float(hi))
        side = int(round(crop * context))                  # degraded at this side, then cropped
        src = min(int(round(side / scale)), h, w)
        y, x = rng.integers(0, h - src + 1), rng.integers(0, w - src + 1)
        patch = img[y:y + src, x:x + src]
        side = max(min(side, src), crop)
        if src != side:
            patch = np.asarray(Image.fromarray(patch).resize((side, side), Image.BICUBIC))
        clean = self._dim(to_float(augment(patch, int(rng.integers(8)))), rng, name)
        degraded = self._degrade(clean, rng, name)
        if side > crop:
            degraded, clean = _same_crop(rng, crop, degraded, clean)
        return self._deliver(degraded, rng), clean

    def _coarse_haze_sample(self, rng: np.random.Generator, img: np.ndarray, crop: int):
        """A hazy sample as the engine's dehazing sees it: the engine shrinks every frame routed to
        dehaze to a coarse copy whose longer side is at most 256 px (daair/coarse.py), so the
        network meets whole scenes at a few times below their native scale. The whole photo is
        shrunk by area averaging until its longer side is uniform in ``haze_coarse`` [lo, hi]
        (at least crop on the shorter side), made dimmer and flatter where ``dim_scene`` names dehaze,
        hazed as a whole, then cropped."""
        lo, hi = self.synthesis["haze_coarse"]
        h, w = img.shape[:2]
        k = max(rng.uniform(float(lo), float(hi)) / max(h, w), crop / min(h, w))
        sh, sw = max(crop, int(round(h * k))), max(crop, int(round(w * k)))
        small = np.asarray(Image.fromarray(img).resize((sw, sh), Image.BOX if k < 1 else Image.BICUBIC))
        clean = self._dim(to_float(augment(small, int(rng.integers(8)))), rng, "dehaze")
        degraded = self._degrade(clean, rng, "dehaze")
        degraded, clean = _same_crop(rng, crop, degraded, clean)
        return self._deliver(degraded, rng), clean

    def _degrade(self, clean: np.ndarray, rng: np.random.Generator, name: str) -> np.ndarray:
        """CLEAN under degradation NAME; with ``haze_free_p``, that share of the hazy samples has no
        haze at all (the target is the input): a haze-free frame that the router sends to dehaze,
        as a dim, flat, noisy scene can be, must come out as it went in. Draws nothing more from
        RNG without the option, so other experiments' batches stay bit-identical."""
        if name == "dehaze" and self.synthesis.get("haze_free_p", 0) > 0 and rng.random() < self.synthesis["haze_free_p"]:
            return quantise(clean)
        degraded, _ = DEGRADE[name](clean, rng, **camera.degradation_options(self.synthesis, name))
        return degraded

    def _dim(self, clean: np.ndarray, rng: np.random.Generator, name: str) -> np.ndarray:
        """CLEAN as a dimmer scene (``dim_scene``), or as it is. Draws nothing from RNG unless the
        option names NAME, so other experiments' batches stay bit-identical."""
        dim = self.synthesis.get("dim_scene")
        if not dim or name not in dim.get("degradations", ()):
            return clean
        if rng.random() >= float(dim.get("p", 1.0)):
            return clean
        lo, hi = dim["factor"]
        out = clean * rng.uniform(float(lo), float(hi))
        if "contrast" in dim:   # and flatter: pulled toward its mean, as asphalt or a wall fills a view
            lo, hi = dim["contrast"]
            mean = out.mean(axis=(0, 1), keepdims=True)
            out = mean + (out - mean) * rng.uniform(float(lo), float(hi))
        return quantise(out)

    def _deliver(self, degraded: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """What the sensor and the camera add before daair sees the degraded picture: light
        sensor noise (``sensor_noise: [lo, hi]``, sigma in 8-bit steps), then 4:2:0 and
        compression for a share ``camera_p`` of the samples (of which a share ``h264_p`` through
        H.264 rather than JPEG)."""
        if "sensor_noise" in self.synthesis:
            lo, hi = self.synthesis["sensor_noise"]
            degraded = add_sensor_noise(degraded, rng, rng.uniform(float(lo), float(hi)))
        if self.synthesis.get("camera_p", 0) > 0 and rng.random() < self.synthesis["camera_p"]:
            degraded = camera.camera(degraded, rng, float(self.synthesis.get("h264_p", 0.0)))
        return degraded

    def batch(self, step: int, batch_size: int, crop: int):
        """(degraded, clean, labels) as float32 numpy arrays NCHW / int64 N. Labels are indices in
        this model's degradation list, balanced: consecutive samples cycle through the list."""
        rng = np.random.default_rng([self.seed, step])
        deg, cln, lab = [], [], []
        offset = step * batch_size
        for i in range(batch_size):
            k = self.cycle[(offset + i) % len(self.cycle)]
            d, c = self.sample(rng, crop, self.degradations[k])
            deg.append(d.transpose(2, 0, 1))
            cln.append(c.transpose(2, 0, 1))
            lab.append(k)
        return np.stack(deg), np.stack(cln), np.array(lab, dtype=np.int64)


@dataclass
class ValItem:
    set_name: str          # e.g. "Kodak24"
    degradation: str       # e.g. "denoise"
    name: str              # file name
    degraded: np.ndarray   # float32 HxWx3
    clean: np.ndarray


# the validation's noise for the denoise rows, in 8-bit steps: the sigma=25 benchmarks (Kodak24,
# BSD68); issue 8's McMaster bar is at 50 (evaluate.py --denoise-sigma)
DENOISE_SIGMA = 25.0


def _seed_for(*parts: str) -> int:
    return zlib.crc32("/".join(parts).encode())


def synthetic_val(val_dir: str, set_name: str, degradation: str, limit: int | None = None,
                  crop: int | None = None, sigma: float | None = None) -> List[ValItem]:
    """Seeded synthetic degradations of a clean validation set. `sigma` fixes the noise level for
    denoise (e.g. 25 for the Kodak24 sigma=25 benchmark)."""
    paths = list_images(os.path.join(val_dir, set_name))[:limit]
    items = []
    for p in paths:
        img = load_rgb(p)
        if crop:
            h, w = img.shape[:2]
            y, x = (h - min(crop, h)) // 2, (w - min(crop, w)) // 2
            img = img[y:y + crop, x:x + crop]
        clean = to_float(crop_multiple(img))
        name = os.path.basename(p)
        rng = np.random.default_rng(_seed_for(set_name, degradation, name, str(sigma)))
        if degradation == "denoise" and sigma is not None:
            deg, _ = add_noise(clean, rng, sigma=sigma)
        else:
            deg, _ = DEGRADE[degradation](clean, rng)
        items.append(ValItem(set_name, degradation, name, deg, clean))
    return items


def rain100l_val(val_dir: str, limit: int | None = None, crop: int | None = None) -> List[ValItem]:
    rainy = list_images(os.path.join(val_dir, "Rain100L", "rainy"))[:limit]
    items = []
    for p in rainy:
        name = os.path.basename(p)
        q = os.path.join(val_dir, "Rain100L", "norain", "no" + name)
        r, c = load_rgb(p), load_rgb(q)
        if crop:
            h, w = r.shape[:2]
            y, x = (h - min(crop, h)) // 2, (w - min(crop, w)) // 2
            r, c = r[y:y + crop, x:x + crop], c[y:y + crop, x:x + crop]
        items.append(ValItem("Rain100L", "derain", name, to_float(crop_multiple(r)), to_float(crop_multiple(c))))
    return items


def quick_val_set(val_dir: str, degradations: Sequence[str], per_set: int = 4, crop: int = 256) -> List[ValItem]:
    """A small, fixed subset for validation during training (seconds on CPU)."""
    items: List[ValItem] = []
    for d in degradations:
        if d == "derain":
            items += rain100l_val(val_dir, limit=per_set * 2, crop=crop)
        else:
            items += synthetic_val(val_dir, "Kodak24", d, limit=per_set, crop=crop,
                                   sigma=DENOISE_SIGMA if d == "denoise" else None)
            items += synthetic_val(val_dir, "Urban100", d, limit=per_set // 2, crop=crop,
                                   sigma=DENOISE_SIGMA if d == "denoise" else None)
    return items


FULL_VAL_SETS = ("Kodak24", "McMaster", "Urban100", "Rain100L")


def full_val_set(val_dir: str, degradations: Sequence[str], sets: Sequence[str] = FULL_VAL_SETS,
                 denoise_sigma: float = DENOISE_SIGMA) -> List[ValItem]:
    """The model card's validation: every image of Kodak24, McMaster and Urban100 under each
    synthetic degradation (denoise at sigma 25, or `denoise_sigma`: issue 8's McMaster bar is at
    50), and all Rain100L pairs. `sets` narrows it (a GPU machine gets only the sets that fit its
    upload)."""
    unknown = set(sets) - set(FULL_VAL_SETS)
    if unknown:
        raise ValueError(f"unknown validation sets {sorted(unknown)}; known: {', '.join(FULL_VAL_SETS)}")
    items: List[ValItem] = []
    for d in degradations:
        if d == "derain":
            if "Rain100L" in sets:
                items += rain100l_val(val_dir)
        else:
            for s in (s for s in FULL_VAL_SETS[:3] if s in sets):
                items += synthetic_val(val_dir, s, d, sigma=denoise_sigma if d == "denoise" else None)
    return items
