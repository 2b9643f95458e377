"""PSNR / SSIM as in PromptIR's evaluation: RGB in [0, 1], clipped, per-image, skimage."""
from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Sequence

import numpy as np
import torch
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from . import coarse


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(peak_signal_noise_ratio(np.clip(b, 0, 1), np.clip(a, 0, 1), data_range=1.0))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    return float(structural_similarity(np.clip(b, 0, 1), np.clip(a, 0, 1), data_range=1.0, channel_axis=2))


def _device(model) -> torch.device:
    return next(model.parameters()).device


@torch.no_grad()
def restore_array(model, img: np.ndarray, route=None) -> np.ndarray:
    """HxWx3 float32 -> HxWx3 float32 (clipped)."""
    x = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))[None].to(_device(model))
    y = model(x, route=route)
    return y[0].clamp(0, 1).float().cpu().numpy().transpose(1, 2, 0)


CLASSIFIER_CROP = 128   # the engine's Classifier.CROP


def classifier_crops(img: np.ndarray, crop: int = CLASSIFIER_CROP) -> np.ndarray:
    """The crops the engine's classifier sees (`Classifier.java`): native resolution, because
    downscaling averages away noise and thin streaks; one centred crop when the frame is at most
    2 crop x 2 crop, else four centred on the quarter points. N x crop x crop x 3."""
    h, w = img.shape[:2]
    cw, ch = min(crop, w), min(crop, h)
    if w <= 2 * crop and h <= 2 * crop:
        origins = [((w - cw) // 2, (h - ch) // 2)]
    else:
        origins = [(w // 4 - cw // 2, h // 4 - ch // 2), (3 * w // 4 - cw // 2, h // 4 - ch // 2),
                   (w // 4 - cw // 2, 3 * h // 4 - ch // 2), (3 * w // 4 - cw // 2, 3 * h // 4 - ch // 2)]
    out = []
    for x0, y0 in origins:
        x0, y0 = max(0, min(w - cw, x0)), max(0, min(h - ch, y0))
        out.append(img[y0:y0 + ch, x0:x0 + cw])
    return np.stack(out)


@torch.no_grad()
def class_probabilities(classifier, img: np.ndarray) -> np.ndarray:
    """Mean class probabilities over the engine's crops of img (HxWx3)."""
    x = torch.from_numpy(np.ascontiguousarray(classifier_crops(img).transpose(0, 3, 1, 2))).to(_device(classifier))
    return classifier(x).mean(dim=0).float().cpu().numpy()


def classify_array(classifier, img: np.ndarray) -> int:
    """The route the engine picks for img on its own (no hysteresis): argmax over its crops."""
    return int(np.argmax(class_probabilities(classifier, img)))


def restore_blind(model, clf, img: np.ndarray, degradations: Sequence[str], route=None,
                  coarse_side: int = coarse.SIDE) -> np.ndarray:
    """As the engine restores a single frame: the route given, or else the classifier's on the
    engine's crops; the model with every expert fixed to that route (the engine runs that
    degradation's graph, not the `auto` one); a frame routed to dehaze goes coarse-to-fine
    (`coarse.py`; coarse_side 0: not)."""
    predicted = route if route is not None else classify_array(clf, img)
    if coarse_side and "dehaze" in degradations and predicted == list(degradations).index("dehaze"):
        return coarse.restore(lambda x: restore_array(model, x, route=predicted), img, coarse_side)
    return restore_array(model, img, route=predicted)


def evaluate(model, items, degradations: Sequence[str], with_ssim: bool = True, route_fixed: bool = False,
             coarse_side: int = coarse.SIDE, auto_graph: bool = False) -> Dict:
    """Blind restoration (task auto) of each item; PSNR/SSIM of input and output per
    (set, degradation); routing accuracy of the classifier (the encoder routers' mean vote over the
    engine's crops) vs. the label.
    Frames routed to dehaze go coarse-to-fine unless coarse_side is 0. auto_graph: each item goes
    through the model with its own routers instead (the `auto` graph, at full size), which issue 8
    compares with the forced-task graphs."""
    from .model import DegradationClassifier
    model.eval()
    clf = DegradationClassifier(model)
    acc = defaultdict(list)
    res: Dict[str, Dict[str, List[float]]] = defaultdict(lambda: defaultdict(list))
    for it in items:
        label = list(degradations).index(it.degradation)
        predicted = classify_array(clf, it.degraded)    # once: it routes the image and is scored
        route = label if route_fixed else predicted
        out = (restore_array(model, it.degraded) if auto_graph
               else restore_blind(model, clf, it.degraded, degradations, route=route, coarse_side=coarse_side))
        key = f"{it.set_name}/{it.degradation}"
        res[key]["psnr_in"].append(psnr(it.degraded, it.clean))
        res[key]["psnr"].append(psnr(out, it.clean))
        if with_ssim:
            res[key]["ssim_in"].append(ssim(it.degraded, it.clean))
            res[key]["ssim"].append(ssim(out, it.clean))
        acc[it.degradation].append(predicted == label)
    summary = {k: {m: float(np.mean(v)) for m, v in d.items()} | {"n": len(d["psnr"])} for k, d in res.items()}
    routing = {k: float(np.mean(v)) for k, v in acc.items()}
    all_acc = [x for v in acc.values() for x in v]
    return {"sets": summary, "routing_accuracy": routing,
            "routing_accuracy_all": float(np.mean(all_acc)) if all_acc else float("nan"),
            "mean_gain_db": float(np.mean([v["psnr"] - v["psnr_in"] for v in summary.values()]))}
