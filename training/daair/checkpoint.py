"""Reading checkpoints across PyTorch versions, and splitting one into parts.

Checkpoints hold plain Python metadata (config, experiment) beside the tensors, so they are read
with weights_only=False where the installed PyTorch has that switch (2.6+ defaults to True).
Splitting exists because a GPU machine returns files of at most 16 MiB: the paper-size model's
weights alone are 25 MB. Parts are plain checkpoints of a slice of the state dict; joining them
gives back the same tensors bit for bit.
"""
from __future__ import annotations

import glob
import inspect
import os
from typing import Dict, List

import torch

_WEIGHTS_ONLY = "weights_only" in inspect.signature(torch.load).parameters


def read(path: str, map_location="cpu") -> dict:
    kw = {"weights_only": False} if _WEIGHTS_ONLY else {}
    return torch.load(path, map_location=map_location, **kw)


def write(path: str, state: dict):
    """STATE saved at PATH whole or not at all (under a temporary name, then renamed): a run cut
    off mid-write, or a full disk, leaves the previous file, never half of one."""
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


SHIPPED_KEYS = ("config_name", "config", "model", "step", "elapsed_s", "best", "merged_experts", "stored_as", "averaged")


def shippable(ck: dict) -> dict:
    """A training checkpoint as a model file: the weights and what describes them, without the
    optimizer state, and without the experiment's paths (they name this machine's folders)."""
    keep = {k: ck[k] for k in SHIPPED_KEYS if k in ck}
    keep["experiment"] = {k: v for k, v in ck.get("experiment", {}).items() if k not in ("train_dir", "val_dir", "run_dir")}
    return keep


def half(ck: dict) -> dict:
    """shippable(ck) with its floating-point tensors in float16: half the bytes, for the files a GPU
    machine sends back (gpu_scan.sh). Loading casts them back to the model's float32, so what is
    evaluated and shipped afterwards is these rounded weights (relative error <= 2**-11)."""
    out = shippable(ck)
    out["model"] = {k: v.half() if v.is_floating_point() else v for k, v in ck["model"].items()}
    out["stored_as"] = "float16"
    return out


def split(ck: dict, prefix: str, max_bytes: int = 15 << 20) -> List[str]:
    """Write `ck` without its optimizer state as prefix.partN.pt files of at most ~max_bytes."""
    meta = {k: v for k, v in ck.items() if k not in ("model", "optimizer")}
    parts: List[Dict[str, torch.Tensor]] = [{}]
    size = 0
    for name, t in ck["model"].items():
        n = t.numel() * t.element_size()
        if parts[-1] and size + n > max_bytes:
            parts.append({})
            size = 0
        parts[-1][name] = t.detach().cpu().clone()
        size += n
    paths = []
    for i, sd in enumerate(parts):
        p = f"{prefix}.part{i}.pt"
        torch.save({**(meta if i == 0 else {}), "model": sd, "part": i, "parts": len(parts)}, p)
        paths.append(p)
    return paths


def join(prefix: str) -> dict:
    paths = sorted(glob.glob(f"{prefix}.part*.pt"), key=lambda p: int(p.rsplit(".part", 1)[1][:-3]))
    if not paths:
        raise FileNotFoundError(f"no {prefix}.partN.pt files")
    first = read(paths[0])
    if first["parts"] != len(paths):
        raise ValueError(f"{prefix}: {len(paths)} parts found, {first['parts']} expected")
    model = {}
    for p in paths:
        model.update(read(p)["model"])
    out = {k: v for k, v in first.items() if k not in ("part", "parts")}
    out["model"] = model
    return out


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description="split a checkpoint into <16 MiB parts, or join them")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("split"); s.add_argument("checkpoint"); s.add_argument("prefix")
    j = sub.add_parser("join"); j.add_argument("prefix"); j.add_argument("out")
    h = sub.add_parser("ship", help="a training checkpoint as a model file (shippable)")
    h.add_argument("checkpoint"); h.add_argument("out")
    f = sub.add_parser("half", help="shippable, its float tensors in float16 (half the bytes)")
    f.add_argument("checkpoint"); f.add_argument("out")
    a = ap.parse_args()
    if a.cmd == "half":
        torch.save(half(read(a.checkpoint)), a.out)
    elif a.cmd == "ship":
        ck = read(a.checkpoint)
        torch.save(shippable(ck), a.out)
        print("step", ck["step"], "elapsed_s", round(ck.get("elapsed_s", 0)))
    elif a.cmd == "split":
        for p in split(read(a.checkpoint), a.prefix):
            print(p, os.path.getsize(p))
    else:
        torch.save(join(a.prefix), a.out)
        print(a.out)
