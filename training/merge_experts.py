#!/usr/bin/python3
"""One checkpoint from a base and expert fine-tunes of it: each named degradation's specialised
experts (every block's ``.experts.<k>.`` tensors) are taken from its donor, all else from the base.

    /usr/bin/python3 training/merge_experts.py BASE.pt OUT.pt --take dehaze=runs/a/last.pt [--take denoise=runs/b/last.pt]

Why it is exact: with a route fixed, a block computes its trunk, the agnostic expert and that
route's expert only, so each route's output depends on its own experts and the shared weights.
Fine-tunes with ``trainable: expert:<name>`` (train.py) change nothing else, so fine-tunes of
different experts from the same base can be trained apart (one after the other, or on different
machines) and joined here; every route then computes what its own fine-tune computed.
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daair import checkpoint  # noqa: E402


def merge(base: dict, donors: dict) -> dict:
    """BASE checkpoint with the experts of each degradation in DONORS ({name: checkpoint}) replaced."""
    degs = list(base["config"]["degradations"])
    model = dict(base["model"])
    steps = {}
    for name, ck in donors.items():
        if name not in degs:
            raise SystemExit(f"--take {name}: not a degradation of this model ({', '.join(degs)})")
        if ck["config"] != base["config"]:
            raise SystemExit(f"--take {name}: its checkpoint has another configuration than the base")
        tag = f".experts.{degs.index(name)}."
        taken = [k for k in model if tag in k]
        for k in taken:
            model[k] = ck["model"][k].clone()
        steps[name] = int(ck.get("step", 0))
    out = {k: v for k, v in base.items() if k not in ("model", "optimizer")}
    out["model"] = model
    # the base's steps plus the longest fine-tune: the steps behind any one route
    out["step"] = int(base.get("step", 0)) + max(steps.values(), default=0)
    out["elapsed_s"] = float(base.get("elapsed_s", 0.0)) + sum(float(ck.get("elapsed_s", 0.0)) for ck in donors.values())
    out["merged_experts"] = {n: {"fine_tune_steps": s, "base_step": int(base.get("step", 0))} for n, s in steps.items()}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base")
    ap.add_argument("out")
    ap.add_argument("--take", action="append", required=True, metavar="DEGRADATION=CHECKPOINT",
                    help="take this degradation's experts from this checkpoint (repeatable)")
    args = ap.parse_args()
    donors = {}
    for t in args.take:
        name, sep, path = t.partition("=")
        if not sep or not path:
            raise SystemExit(f"--take wants DEGRADATION=CHECKPOINT, not {t}")
        donors[name] = checkpoint.read(path)
    merged = merge(checkpoint.read(args.base), donors)
    checkpoint.write(args.out, merged)
    print(f"{args.out}: {', '.join(f'{n} from {p}' for n, p in (t.split('=', 1) for t in args.take))}; "
          f"steps {merged['step']}")


if __name__ == "__main__":
    main()
