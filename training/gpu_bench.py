#!/usr/bin/python3
"""GPU throughput of DaAIR in PyTorch: frames per second at 720p and 1080p for batch 1/4/8 in FP32
and FP16, eager and replayed as a CUDA graph, peak GPU memory, FP16-vs-FP32 difference, and the
agreement of PyTorch (GPU) with the exported ONNX graph (ONNX Runtime).

    /usr/bin/python3 training/gpu_bench.py --json bench/results/gpu-h100.json \
        --model daair --model daair-s=models/daair-s.pt
    /usr/bin/python3 training/gpu_bench.py --table bench/results/gpu-*.json    # markdown

A model is a registry name (random weights: speed does not depend on the values) or NAME=WEIGHTS.
Timed graphs are the per-degradation ones (route fixed, what the Java engine batches per group);
the blind `auto` graph is timed at batch 8 as well, where it routes every frame to one expert.
FP32 means strict FP32 (TF32 off); FP16 means the whole network in half precision, as TensorRT's
FP16 mode runs it. Each timing is the mean over at least 3 runs and about 1.5 s after warm-up.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from daair.model import build_model, count_parameters, FixedRoute  # noqa: E402
from export import load_checkpoint, _export  # noqa: E402

SIZES = {"480p": (480, 854), "720p": (720, 1280), "1080p": (1080, 1920)}


def load(spec: str):
    if "=" in spec:
        name, path = spec.split("=", 1)
        return name, load_checkpoint(path), path
    return spec, build_model(spec).eval(), None


def size_of(name: str):
    if name in SIZES:
        return SIZES[name]
    h, w = name.split("x")  # e.g. 64x96 (smoke tests on a CPU)
    return int(h), int(w)


def sync():
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def time_it(fn, min_s: float = 0.6, min_runs: int = 3, max_runs: int = 50) -> float:
    fn()
    sync()
    n, t0 = 0, time.perf_counter()
    while n < min_runs or (time.perf_counter() - t0 < min_s and n < max_runs):
        fn()
        sync()
        n += 1
    return (time.perf_counter() - t0) / n


def frames(batch: int, h: int, w: int, device, dtype) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    low = torch.rand(batch, 3, h // 16, w // 16, generator=g)
    x = torch.nn.functional.interpolate(low, size=(h, w), mode="bilinear", align_corners=False)
    return x.to(device=device, dtype=dtype)


def measure(model, size: str, batch: int, precision: str, route, device, graphs: bool) -> dict:
    h, w = size_of(size)
    cuda = device.type == "cuda"
    dtype = torch.float16 if precision == "fp16" else torch.float32
    m = model.to(dtype)
    x = frames(batch, h, w, device, dtype)
    rec = {"size": size, "batch": batch, "precision": precision, "route": "auto" if route is None else "fixed"}
    try:
        with torch.no_grad():
            m(x, route=route)  # warm-up first: cuDNN's algorithm search allocates far more than a run
            if cuda:
                torch.cuda.synchronize()
                torch.cuda.reset_peak_memory_stats()
            t = time_it(lambda: m(x, route=route))
        rec["eager_fps"] = batch / t
        if cuda:
            rec["peak_mem_gib"] = torch.cuda.max_memory_allocated() / 2 ** 30
        if graphs and cuda and route is not None:
            try:
                static = x.clone()
                s = torch.cuda.Stream()
                s.wait_stream(torch.cuda.current_stream())
                with torch.no_grad(), torch.cuda.stream(s):
                    for _ in range(2):
                        m(static, route=route)
                torch.cuda.current_stream().wait_stream(s)
                g = torch.cuda.CUDAGraph()
                with torch.no_grad(), torch.cuda.graph(g):
                    m(static, route=route)
                rec["graph_fps"] = batch / time_it(g.replay)
                del g
            except Exception as e:  # noqa: BLE001 - report why, keep measuring
                rec["graph_error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
    except torch.cuda.OutOfMemoryError:
        rec["error"] = "out of memory"
    finally:
        model.float()
        if cuda:
            torch.cuda.empty_cache()
    return rec


def fp16_difference(model, device, size: str) -> dict:
    """How far the half-precision network is from FP32 on a smooth frame."""
    x = frames(1, *size_of(size), device, torch.float32)
    with torch.no_grad():
        y32 = model(x, route=0).clamp(0, 1)
        y16 = model.half()(x.half(), route=0).float().clamp(0, 1)
    model.float()
    mse = float(((y32 - y16) ** 2).mean())
    return {"max_abs": float((y32 - y16).abs().max()), "psnr_fp16_vs_fp32_db": 10 * np.log10(1 / max(mse, 1e-12)),
            "finite": bool(torch.isfinite(y16).all())}


def onnx_agreement(model, device) -> dict:
    """Export the fixed-route graph and compare ONNX Runtime (CPU) with PyTorch on the GPU in FP32."""
    try:
        import onnxruntime as ort
    except ImportError:
        return {"skipped": "onnxruntime is not installed"}
    x = frames(2, 120, 200, "cpu", torch.float32)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "g.onnx")
        cpu_model = model.to("cpu")
        with torch.no_grad():
            _export(FixedRoute(cpu_model, 0), frames(1, 44, 60, "cpu", torch.float32), path, "output")
        model.to(device)
        sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        y_ort = sess.run(None, {"input": x.numpy()})[0]
    with torch.no_grad():
        y_pt = model(x.to(device), route=0).cpu().numpy()
    return {"max_abs_diff": float(np.abs(y_ort - y_pt).max()), "onnxruntime": ort.__version__,
            "providers_available": ort.get_available_providers(), "input_shape": list(x.shape)}


def record(out: dict, entry: dict, run: dict, path: str):
    """Keep every result on disk as soon as it exists: a run cut off by its time limit still reports."""
    entry["runs"].append(run)
    print("  ", json.dumps(run), flush=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=1)


def table(paths) -> str:
    """A markdown table of one or more result files (the README's GPU table)."""
    lines = ["| GPU | model | size | precision | batch | graph | eager fps | CUDA-graph fps | peak GPU memory |",
             "|---|---|---|---|---|---|---|---|---|"]
    for path in paths:
        with open(path) as f:
            d = json.load(f)
        for m in d["models"]:
            for r in m["runs"]:
                if "error" in r:
                    cells = [r["error"], "", ""]
                else:
                    g = f"{r['graph_fps']:.1f}" if "graph_fps" in r else "-"
                    mem = f"{r['peak_mem_gib']:.1f} GiB" if "peak_mem_gib" in r else "-"
                    cells = [f"{r['eager_fps']:.1f}", g, mem]
                lines.append(f"| {d['gpu']} | {m['name']} | {r['size']} | {r['precision']} | {r['batch']} | "
                             f"{r['route']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--table":
        print(table(sys.argv[2:]))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", action="append", required=True, help="registry name or NAME=WEIGHTS.pt")
    ap.add_argument("--sizes", default="720p,1080p")
    ap.add_argument("--batches", default="1,4,8")
    ap.add_argument("--precisions", default="fp32,fp16")
    ap.add_argument("--no-graphs", action="store_true", help="skip CUDA graph replay")
    ap.add_argument("--json", required=True, help="write results here")
    ap.add_argument("--device", default="cuda", help="cuda; cpu only to smoke-test this script")
    args = ap.parse_args()
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("gpu_bench.py needs a CUDA GPU (torch.cuda.is_available() is False)")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    out = {"gpu": torch.cuda.get_device_name(0) if device.type == "cuda" else platform.processor() or "cpu", "torch": torch.__version__, "cuda": torch.version.cuda,
           "cudnn": torch.backends.cudnn.version(), "python": platform.python_version(),
           "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "models": []}
    for spec in args.model:
        name, model, weights = load(spec)
        model = model.to(device).eval()
        entry = {"name": name, "weights": weights, "params_m": count_parameters(model) / 1e6, "runs": []}
        out["models"].append(entry)
        print(f"== {name}: {entry['params_m']:.3f} M params", flush=True)
        try:
            entry["onnx_agreement"] = onnx_agreement(model, device)
        except Exception as e:  # noqa: BLE001 - the timings still matter
            entry["onnx_agreement"] = {"error": f"{type(e).__name__}: {str(e)[:300]}"}
            model.to(device)
        print(f"   onnx agreement {entry['onnx_agreement']}", flush=True)
        if device.type == "cuda":  # no half-precision convolutions on the CPU
            entry["fp16_vs_fp32"] = fp16_difference(model, device, args.sizes.split(",")[0])
            print(f"   fp16 vs fp32 {entry['fp16_vs_fp32']}", flush=True)
        for size in args.sizes.split(","):
            for precision in args.precisions.split(","):
                for batch in [int(b) for b in args.batches.split(",")]:
                    r = measure(model, size, batch, precision, 0, device, not args.no_graphs)
                    record(out, entry, r, args.json)
                record(out, entry, measure(model, size, 8, precision, None, device, False), args.json)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
