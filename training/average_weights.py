#!/usr/bin/python3
"""A weight average of two checkpoints of the same model (a "model soup"): every float tensor is
(1 - share) x A's + share x B's; anything else is A's.

    /usr/bin/python3 training/average_weights.py A.pt B.pt OUT.pt [--share 0.5]

Meaningful only where both come from one starting point (fine-tunes or continuations of the same
checkpoint): then the average stays in one basin and lies between the two in what it does (session 20:
v14 and v21m, docs/model-history.md "Session 20"). Two models trained apart do not average.
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daair import checkpoint  # noqa: E402


def average(a: dict, b: dict, share: float) -> dict:
    """Checkpoint A with every float tensor of its model moved SHARE of the way to B's."""
    if not 0 <= share <= 1:
        raise SystemExit(f"--share must be in [0, 1], not {share}")
    if a["config"] != b["config"] or set(a["model"]) != set(b["model"]):
        raise SystemExit("average: the two checkpoints are not of the same model")
    model = {}
    for k, t in a["model"].items():
        u = b["model"][k]
        model[k] = ((1 - share) * t.float() + share * u.float()).to(t.dtype) if t.is_floating_point() else t.clone()
    out = checkpoint.shippable(a)   # without the optimizer and the machine's paths
    out["model"] = model
    out["averaged"] = {"share_of_b": share, "steps": [int(a.get("step", 0)), int(b.get("step", 0))]}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("out")
    ap.add_argument("--share", type=float, default=0.5, help="B's share of every weight (default 0.5)")
    args = ap.parse_args()
    out = average(checkpoint.read(args.a), checkpoint.read(args.b), args.share)
    checkpoint.write(args.out, out)
    print(f"{args.out}: {1 - args.share:g} x {args.a} + {args.share:g} x {args.b}")


if __name__ == "__main__":
    main()
