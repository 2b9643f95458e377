#!/usr/bin/python3
"""Train DaAIR from one YAML experiment file.

    /usr/bin/python3 training/train.py training/configs/daair-s.yaml [--resume] [--steps N] [--init W.pt]

Runs for hours in the background on CPU (nohup ... &); the same command runs on a GPU machine
(`device: cuda` in the YAML or `--device cuda`). Writes into the run folder (`run_dir` in the
YAML): last.pt (every `checkpoint_minutes` and at the end), best.pt (best validation gain),
log.jsonl (one JSON object per log or validation event). `--resume` continues from last.pt with
the same batches it would have seen (each step's batch is a pure function of seed and step).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import time

import numpy as np
import torch
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from daair.model import build_model, aux_routing_loss, count_parameters, get_config  # noqa: E402
from daair.data import TrainSampler, quick_val_set  # noqa: E402
from daair.metrics import evaluate  # noqa: E402
from daair import checkpoint  # noqa: E402


class _Batches(torch.utils.data.Dataset):
    """Step i's batch, for DataLoader worker processes (GPU runs: synthesis on the CPU cores keeps
    up with the GPU only in parallel). Pure function of the step, like the sampler itself."""

    def __init__(self, sampler, start: int, exp: dict):
        self.sampler, self.start, self.exp = sampler, start, exp

    def __len__(self):
        return 1 << 40

    def __getitem__(self, i):
        s = self.start + i
        return self.sampler.batch(s, self.exp["batch_size"], crop_at(s, self.exp))


def resolve(path: str, base: str) -> str:
    return path if os.path.isabs(path) else os.path.normpath(os.path.join(base, path))


def load_experiment(path: str) -> dict:
    with open(path) as f:
        exp = yaml.safe_load(f)
    base = os.path.dirname(os.path.dirname(os.path.abspath(path)))  # training/
    for k in ("train_dir", "val_dir", "run_dir"):
        exp[k] = resolve(exp[k], base)
    return exp


def lr_at(step: int, exp: dict) -> float:
    """Linear warm-up, then cosine decay from lr to min_lr over the remaining steps."""
    o = exp["optimizer"]
    warm = o.get("warmup_steps", 0)
    if step < warm:
        return o["lr"] * (step + 1) / warm
    t = min(1.0, (step - warm) / max(1, exp["steps"] - warm))
    return o.get("min_lr", 0.0) + 0.5 * (o["lr"] - o.get("min_lr", 0.0)) * (1 + math.cos(math.pi * t))


def crop_at(step: int, exp: dict) -> int:
    crop = exp["crop_schedule"][0][1]
    for start, size in exp["crop_schedule"]:
        if step >= start:
            crop = size
    return crop


def steps_in_budget(step: int, per_step: float, spent: float, budget_s: float, exp: dict) -> int:
    """The total step count that ends the run within budget_s seconds at per_step seconds a step,
    keeping about 8 s for each validation still to come and 15 s for the last checkpoint."""
    left = budget_s - spent
    val_reserve = 8.0 * (1 + (left / per_step) // exp.get("val_every", 500))
    return step + max(1, int((left - val_reserve - 15) / per_step))


def select_trainable(model: torch.nn.Module, trainable: str, degradations) -> None:
    """Which parameters learn. "all"; "routers": a routing fine-tune, the routers alone from the
    routing loss; "expert:<degradation>": that degradation's specialised experts alone, in every
    block, so every other route computes exactly what it did."""
    if trainable == "all":
        return
    if trainable == "routers":
        keep = lambda n: ".router." in n
    elif trainable.startswith("expert:") and trainable[7:] in degradations:
        k = list(degradations).index(trainable[7:])
        keep = lambda n: f".experts.{k}." in n
    else:
        raise ValueError(f"trainable: all, routers or expert:<one of {', '.join(degradations)}>, not {trainable}")
    for n, p in model.named_parameters():
        p.requires_grad = keep(n)


def frequency_l1(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference of the two images' spectra (orthonormal 2-D FFT, real and imaginary
    parts), the frequency term of MIMO-UNet's deblurring loss. Why: a blur's error is spread thinly
    over many high-frequency pixels, where a pixel L1 is content with the blurred image, while its
    spectrum's error is many coefficients' worth of lost detail; an offset of the same pixel L1 is
    one coefficient. Orthonormal, so its scale is the pixels' (Parseval)."""
    d = torch.fft.rfft2(out.float() - target.float(), norm="ortho")
    return torch.view_as_real(d).abs().mean()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("experiment", help="YAML experiment file (training/configs/*.yaml)")
    ap.add_argument("--resume", action="store_true", help="continue from run_dir/last.pt")
    ap.add_argument("--steps", type=int, help="override the total number of steps")
    ap.add_argument("--init", help="start from these weights (e.g. models/daair-s.pt) with a fresh optimizer "
                    "and schedule: how a later session continues from the shipped model")
    ap.add_argument("--batch-size", type=int, help="override batch_size (e.g. a CPU rehearsal of a GPU burst)")
    ap.add_argument("--device", help="override the device (cpu, cuda)")
    ap.add_argument("--run-dir", help="override run_dir")
    ap.add_argument("--time-budget-min", type=float,
                    help="fit the run into this many minutes (a GPU burst): after the first timed steps the "
                         "total step count, and so the cosine schedule, is set from the measured speed")
    args = ap.parse_args()

    exp = load_experiment(args.experiment)
    if args.steps:
        exp["steps"] = args.steps
    if args.batch_size:
        exp["batch_size"] = args.batch_size
    if args.run_dir:
        exp["run_dir"] = os.path.abspath(args.run_dir)
    device = torch.device(args.device or exp.get("device", "cpu"))
    torch.set_num_threads(int(exp.get("threads", os.cpu_count() or 1)))
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    amp = exp.get("amp", "none")  # "bf16": autocast the forward pass (GPU)
    if amp not in ("none", "bf16"):
        raise SystemExit(f"amp must be none or bf16, not {amp}")
    torch.manual_seed(exp.get("seed", 0))
    os.makedirs(exp["run_dir"], exist_ok=True)
    log_path = os.path.join(exp["run_dir"], "log.jsonl")

    overrides = exp.get("model_overrides", {}) or {}
    if "degradations" in exp:
        overrides["degradations"] = tuple(exp["degradations"])
    cfg = get_config(exp["model"], **{k: tuple(v) if isinstance(v, list) else v for k, v in overrides.items()})
    model = build_model(cfg).to(device)
    # channels-last: the same function, about 10 % less CPU time per step (training/profile_step.py)
    layout = torch.channels_last if exp.get("channels_last", False) else torch.contiguous_format
    model = model.to(memory_format=layout)
    o = exp["optimizer"]
    # fused AdamW on a GPU: the unfused one was 15 % of an H100 step (hundreds of small tensors)
    trainable = exp.get("trainable", "all")
    routers_only = trainable == "routers"
    expert_only = trainable.startswith("expert:")
    try:
        select_trainable(model, trainable, cfg.degradations)
    except ValueError as e:
        raise SystemExit(str(e))
    fused = {"fused": True} if device.type == "cuda" else {}
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=o["lr"],
                            betas=tuple(o.get("betas", (0.9, 0.999))), weight_decay=o.get("weight_decay", 0.0),
                            **fused)
    step, best, elapsed0 = 0, -1e9, 0.0
    last_path = os.path.join(exp["run_dir"], "last.pt")
    if args.init and not (args.resume and os.path.exists(last_path)):
        init = checkpoint.read(args.init, map_location=device)
        model.load_state_dict(init["model"])
        print(f"initialised from {args.init} (trained {init.get('step', '?')} steps)", flush=True)
    if args.resume and os.path.exists(last_path):
        ck = checkpoint.read(last_path, map_location=device)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        step, best, elapsed0 = ck["step"], ck.get("best", -1e9), ck.get("elapsed_s", 0.0)
        print(f"resumed from {last_path} at step {step}", flush=True)

    sampler = TrainSampler(exp["train_dir"], cfg.degradations, seed=exp.get("seed", 0), synthesis=exp.get("synthesis"))
    val_items = quick_val_set(exp["val_dir"], cfg.degradations, per_set=exp.get("val_per_set", 4),
                              crop=exp.get("val_crop", 256))
    print(f"{exp['model']}: {count_parameters(model) / 1e6:.3f} M params, {len(sampler.images)} train images, "
          f"{len(val_items)} quick-val images, device {device}", flush=True)

    def state(t_start):
        return {"config_name": exp["model"], "config": cfg.to_dict(), "model": model.state_dict(),
                "optimizer": opt.state_dict(), "step": step, "best": best,
                "elapsed_s": elapsed0 + time.time() - t_start, "experiment": exp}

    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *a: stop.__setitem__("now", True))
    signal.signal(signal.SIGINT, lambda *a: stop.__setitem__("now", True))

    workers = int(exp.get("loader_workers", 0))
    batches = None
    if workers > 0:
        batches = iter(torch.utils.data.DataLoader(
            _Batches(sampler, step, exp), batch_size=None, num_workers=workers, prefetch_factor=4,
            pin_memory=device.type == "cuda", persistent_workers=True))
    budget_s = 60 * args.time_budget_min if args.time_budget_min else None
    first_step = step
    t_timed = None
    val_spent = [0.0]  # validation time, kept out of the measured step time

    t_start = time.time()
    last_ck = time.time()
    aux_w = exp.get("aux_weight", 0.1)
    fft_w = float(exp.get("fft_weight", 0.0))  # frequency_l1's weight beside the pixel L1 (0: L1 alone)
    teacher = exp.get("teacher_forcing_steps", 0)
    run_l1 = run_aux = 0.0
    n_run = 0
    t_log = time.time()
    with open(log_path, "a") as log:
        while step < exp["steps"] and not stop["now"]:
            if budget_s is not None:
                spent = time.time() - t_start
                if step == first_step + 20:
                    t_timed = time.time() + val_spent[0]
                elif step == first_step + 80:
                    per_step = (time.time() - t_timed - val_spent[0]) / 60
                    exp["steps"] = steps_in_budget(step, per_step, spent, budget_s, exp)
                    print(f"time budget {budget_s:.0f}s: {per_step:.3f}s/step -> {exp['steps']} steps", flush=True)
                if spent > budget_s:
                    exp["steps"] = step  # over budget (slow validation): stop here, schedule done
                    break
            model.train()
            lr = lr_at(step, exp)
            for g in opt.param_groups:
                g["lr"] = lr
            crop = crop_at(step, exp)
            if batches is not None:
                x, y, lab_t = (t.to(device, non_blocking=True) for t in next(batches))
            else:
                deg, cln, lab = sampler.batch(step, exp["batch_size"], crop)
                x, y, lab_t = (torch.from_numpy(a).to(device) for a in (deg, cln, lab))
            x = x.contiguous(memory_format=layout)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp == "bf16"):
                # one expert alone learns from the samples routed to it by their label (a frozen
                # router would send a few elsewhere, where nothing learns)
                forced = step < teacher or expert_only
                out, logits = model(x, labels=lab_t if forced else None, return_logits=True)
            l1 = (out.float() - y).abs().mean()
            recon = l1 + fft_w * frequency_l1(out, y) if fft_w else l1
            aux = aux_routing_loss([g.float() for g in logits], lab_t)
            # the routing loss would reach a lone expert through the later routers' inputs
            loss = aux if routers_only else recon if expert_only else recon + aux_w * aux
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if exp.get("grad_clip"):
                torch.nn.utils.clip_grad_norm_(model.parameters(), exp["grad_clip"])
            opt.step()
            if trainable == "all":
                # the controllers follow the encoders' agnostic experts; when those are frozen
                # the pull would still move the controllers, and with them every route
                model.ema_update()
            step += 1
            run_l1 += float(l1)
            run_aux += float(aux)
            n_run += 1
            if step % exp.get("log_every", 50) == 0:
                dt = (time.time() - t_log) / n_run
                rec = {"step": step, "l1": run_l1 / n_run, "aux": run_aux / n_run, "lr": lr, "crop": crop,
                       "s_per_step": dt, "elapsed_s": elapsed0 + time.time() - t_start}
                log.write(json.dumps(rec) + "\n")
                log.flush()
                if budget_s is not None and step > first_step + 80:
                    # re-plan from the recent speed: a GPU shared with another run (gpu_burst.sh
                    # trains two models at once) slows down or speeds up when the other starts,
                    # validates or ends, and the cosine should still end on time
                    plan = steps_in_budget(step, dt, time.time() - t_start, budget_s, exp)
                    if abs(plan - exp["steps"]) > 0.02 * exp["steps"]:
                        print(f"time budget: {dt:.3f}s/step now -> {plan} steps (was {exp['steps']})", flush=True)
                        exp["steps"] = plan
                eta = (exp["steps"] - step) * dt
                print(f"step {step}/{exp['steps']} l1 {rec['l1']:.4f} aux {rec['aux']:.3f} lr {lr:.2e} "
                      f"crop {crop} {dt:.2f}s/step eta {eta / 3600:.1f}h", flush=True)
                run_l1 = run_aux = 0.0
                n_run = 0
                t_log = time.time()
            if step % exp.get("val_every", 500) == 0 or step == exp["steps"]:
                t0 = time.time()
                r = evaluate(model, val_items, cfg.degradations, with_ssim=False)
                rec = {"step": step, "val": r["sets"], "routing_accuracy": r["routing_accuracy_all"],
                       "mean_gain_db": r["mean_gain_db"], "val_s": time.time() - t0}
                val_spent[0] += rec["val_s"]
                log.write(json.dumps(rec) + "\n")
                log.flush()
                summary = " ".join(f"{k}:{v['psnr_in']:.1f}->{v['psnr']:.1f}" for k, v in r["sets"].items())
                print(f"val step {step}: gain {r['mean_gain_db']:.2f} dB routing {r['routing_accuracy_all']:.3f} "
                      f"{summary}", flush=True)
                if exp.get("keep_val_checkpoints", False):
                    # every validated step stays selectable (the full validation may prefer one
                    # that the quick subset's mean gain does not)
                    checkpoint.write(os.path.join(exp["run_dir"], f"step{step}.pt"), state(t_start))
                if r["mean_gain_db"] > best:
                    best = r["mean_gain_db"]
                    checkpoint.write(os.path.join(exp["run_dir"], "best.pt"), state(t_start))
                t_log += time.time() - t0
            if time.time() - last_ck > 60 * exp.get("checkpoint_minutes", 5):
                checkpoint.write(last_path, state(t_start))
                last_ck = time.time()
        checkpoint.write(last_path, state(t_start))
    print(f"stopped at step {step}; checkpoint {last_path}", flush=True)


if __name__ == "__main__":
    main()
