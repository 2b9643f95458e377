#!/usr/bin/python3
"""Where one CPU training step's time goes, and whether channels-last memory layout saves any.

    /usr/bin/python3 training/profile_step.py [--config daair-s] [--batch 8] [--crop 128] [--threads 2] [--steps 3]

Runs the same few training steps (same batches, same initial weights) twice, in the default NCHW
layout and in channels-last, side by side in one process, and prints the seconds per step of each
phase (data synthesis, forward, backward, optimizer) and their ratio; then the operators that took
the most time in one profiled step. The two layouts must give the same loss (they compute the same
function); the script stops if they do not.
"""
import argparse
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from daair import model as M  # noqa: E402
from daair.data import TrainSampler  # noqa: E402


def run(cfg: str, batches, channels_last: bool, profile: bool = False):
    torch.manual_seed(0)
    net = M.build_model(cfg).train()
    if channels_last:
        net = net.to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-4)
    phases, losses, prof = [], [], None
    for i, (deg, cln, lab) in enumerate(batches):
        t0 = time.perf_counter()
        x, y, labels = (torch.from_numpy(a) for a in (deg, cln, lab))
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        ctx = torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) if profile and i == len(batches) - 1 else None
        if ctx:
            ctx.__enter__()
        t1 = time.perf_counter()
        out, logits = net(x, return_logits=True)
        loss = (out - y).abs().mean() + 0.1 * M.aux_routing_loss(logits, labels)
        t2 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        t3 = time.perf_counter()
        opt.step()
        net.ema_update()
        t4 = time.perf_counter()
        if ctx:
            ctx.__exit__(None, None, None)
            prof = ctx
        losses.append(float(loss))
        if i > 0:  # the first step warms up allocators and kernels
            phases.append((t1 - t0, t2 - t1, t3 - t2, t4 - t3))
    return np.mean(phases, axis=0), losses, prof


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="daair-s")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--crop", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=3, help="timed steps (one more warms up)")
    ap.add_argument("--train-dir", default=os.path.join(HERE, "..", "..", "shared", "data", "train"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = M.get_config(args.config)
    sampler = TrainSampler(args.train_dir, cfg.degradations, seed=0)
    t0 = time.perf_counter()
    batches = [sampler.batch(i, args.batch, args.crop) for i in range(args.steps + 1)]
    data_s = (time.perf_counter() - t0) / len(batches)
    print(f"{args.config}, batch {args.batch} x {args.crop}px, {args.threads} threads; data synthesis {data_s:.3f} s/step")
    results = {}
    for layout, cl in (("NCHW", False), ("channels-last", True)):
        phases, losses, prof = run(args.config, batches, cl, profile=not cl)
        results[layout] = (phases, losses, prof)
    (a, la, prof), (b, lb, _) = results["NCHW"], results["channels-last"]
    if not np.allclose(la, lb, rtol=1e-4, atol=1e-5):
        sys.exit(f"the layouts disagree: losses {la} vs {lb}")
    print(f"{'s/step':<14} {'convert':>8} {'forward':>8} {'backward':>9} {'optimizer':>10} {'total':>7}")
    for name, p in (("NCHW", a), ("channels-last", b)):
        print(f"{name:<14} {p[0]:>8.3f} {p[1]:>8.3f} {p[2]:>9.3f} {p[3]:>10.3f} {p.sum():>7.3f}")
    print(f"channels-last / NCHW: {b.sum() / a.sum():.3f} (same losses: {la[-1]:.6f})")
    total = a.sum() + data_s
    print(f"share of an NCHW step: data {data_s / total:.0%}, forward {a[1] / total:.0%}, backward {a[2] / total:.0%}, "
          f"optimizer {a[3] / total:.0%}")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12))


if __name__ == "__main__":
    main()
