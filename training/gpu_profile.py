#!/usr/bin/python3
"""Where a training step's GPU time goes: seconds per step of the paper-size daair (batch 32,
128x128 crops, synthetic inputs) in several numeric modes, forward-only time, and the torch
profiler's top kernels of the default mode (bf16 autocast).

    python3 training/gpu_profile.py --out DIR [--model daair] [--batch 32] [--crop 128]

Writes DIR/profile.json (timings) and DIR/profile.txt (kernel table).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from daair.model import build_model, aux_routing_loss  # noqa: E402


def batch(n: int, crop: int, experts: int, device):
    g = torch.Generator().manual_seed(0)
    low = torch.rand(n, 3, crop // 8, crop // 8, generator=g)
    y = torch.nn.functional.interpolate(low, size=(crop, crop), mode="bilinear", align_corners=False)
    x = (y + 0.1 * torch.randn(n, 3, crop, crop, generator=g)).clamp(0, 1)
    lab = torch.arange(n) % experts
    return x.to(device), y.to(device), lab.to(device)


def step_fn(model, opt, x, y, lab, amp: bool, sync_loss: bool = True):
    with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=amp):
        out, logits = model(x, return_logits=True)
    loss = (out.float() - y).abs().mean() + 0.1 * aux_routing_loss([g.float() for g in logits], lab)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    model.ema_update()
    if sync_loss:
        float(loss)


def timed(fn, n: int, device) -> float:
    for _ in range(3):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - t0) / n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--model", default="daair")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--crop", type=int, default=128)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--device", default="cuda")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    device = torch.device(args.device)
    model = build_model(args.model).to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    x, y, lab = batch(args.batch, args.crop, model.cfg.num_experts, device)
    res = {"model": args.model, "batch": args.batch, "crop": args.crop,
           "gpu": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu", "s_per_step": {}}
    cuda = device.type == "cuda"
    modes = [("bf16", True, False, False), ("bf16+cudnn_benchmark", True, True, False),
             ("fp32+tf32", False, False, True), ("fp32", False, False, False)] if cuda else [("fp32", False, False, False)]
    for name, amp, bench, tf32 in modes:
        torch.backends.cudnn.benchmark = bench
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        res["s_per_step"][name] = timed(lambda: step_fn(model, opt, x, y, lab, amp), args.steps, device)
        print(name, res["s_per_step"][name], flush=True)
    torch.backends.cudnn.benchmark = False
    with torch.no_grad():
        res["forward_only_bf16_s"] = timed(lambda: model(x), args.steps, device) if not cuda else None
        if cuda:
            with torch.autocast("cuda", dtype=torch.bfloat16):
                res["forward_only_bf16_s"] = timed(lambda: model(x), args.steps, device)
    print("forward only", res["forward_only_bf16_s"], flush=True)
    acts = [torch.profiler.ProfilerActivity.CPU] + ([torch.profiler.ProfilerActivity.CUDA] if cuda else [])
    with torch.profiler.profile(activities=acts) as prof:
        for _ in range(3):
            step_fn(model, opt, x, y, lab, cuda)
        if cuda:
            torch.cuda.synchronize()
    ka = prof.key_averages()
    tables = []
    for key in (("self_device_time_total", "self_cuda_time_total") if cuda else ("self_cpu_time_total",)):
        try:
            tables.append(ka.table(sort_by=key, row_limit=40))
            break
        except Exception as e:  # noqa: BLE001 - older/newer PyTorch name the column differently
            tables.append(f"(sort by {key} failed: {e})")
    with open(os.path.join(args.out, "profile.txt"), "w") as f:
        f.write("\n".join(tables))
    print(tables[-1][:6000])
    with open(os.path.join(args.out, "profile.json"), "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
