#!/usr/bin/python3
"""Export a trained DaAIR checkpoint to the ONNX graphs the Java engine runs.

    /usr/bin/python3 training/export.py --weights models/daair-s.pt --out models/

Writes, for a checkpoint named NAME (the file's stem):
  NAME-auto.onnx          routers inside; each image goes to the expert its routers choose (real
                          sub-batch dispatch: NonZero/Gather/ScatterND, empty groups are size-0)
  NAME-<degradation>.onnx one per degradation with the route fixed; only that expert is in it
  NAME-classifier.onnx    the encoder alone; output "probs" (N x E), the mean of the encoder
                          routers' softmax (the engine runs it on native-resolution crops)
  NAME.json               manifest: degradations in expert order, graph files, tensor names
  reference/NAME-*.{in,out}.bin + .json: input/output tensors (float32 little-endian, NCHW) for
                          the Java parity test (max abs difference <= 1e-4)

Every graph: input "input" float32 N x 3 x H x W, RGB in [0, 1], any N, H, W (>= 8; padded to a
multiple of 8 inside the graph by reflection and cropped back). Output "output", same shape.
"""
from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from daair.model import DaAIR, DaAIRConfig, DegradationClassifier, FixedRoute  # noqa: E402
from daair import checkpoint  # noqa: E402

OPSET = 17


class Auto(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)


def load_checkpoint(path: str) -> DaAIR:
    ck = checkpoint.read(path)
    model = DaAIR(DaAIRConfig.from_dict(ck["config"]))
    model.load_state_dict(ck["model"])
    return model.eval()


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _export(module, example, path, output_name):
    # The TorchScript exporter: PyTorch 2.9+ defaults to the dynamo one, which does not trace the
    # data-dependent expert dispatch the same way.
    kw = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    torch.onnx.export(module, (example,), path, opset_version=OPSET, input_names=["input"], **kw,
                      output_names=[output_name],
                      dynamic_axes={"input": {0: "batch", 2: "height", 3: "width"},
                                    output_name: {0: "batch"} if output_name == "probs"
                                    else {0: "batch", 2: "height", 3: "width"}},
                      do_constant_folding=True)


def _write_tensor(path: str, t: torch.Tensor):
    t.detach().cpu().numpy().astype("<f4").tofile(path)


def reference_input(n: int = 3, h: int = 44, w: int = 60, seed: int = 0) -> torch.Tensor:
    """A smooth random image batch (H, W not multiples of 8, to exercise the padding)."""
    g = torch.Generator().manual_seed(seed)
    low = torch.rand(n, 3, h // 4 + 1, w // 4 + 1, generator=g)
    x = torch.nn.functional.interpolate(low, size=(h, w), mode="bilinear", align_corners=False)
    return (x + 0.05 * torch.randn(n, 3, h, w, generator=g)).clamp(0, 1)


def mixed_reference(h: int = 44, w: int = 60) -> torch.Tensor:
    """Differently degraded images in one batch, so the auto graph's parity test exercises several
    non-empty expert groups (and empty ones) at once."""
    from daair.degradations import DEGRADE
    base = reference_input(n=1, h=h, w=w, seed=1)[0].numpy().transpose(1, 2, 0)
    out = [DEGRADE[name](base, np.random.default_rng(i))[0] for i, name in enumerate(("denoise", "dehaze", "lowlight"))]
    return torch.from_numpy(np.stack(out).transpose(0, 3, 1, 2).copy())


def _asphalt(h: int = 150, w: int = 200, seed: int = 3) -> np.ndarray:
    """A flat grey scene seen from above (asphalt, a white roof, two parking lines), hazed: the
    footage on which the coarse copy darkens far more than the network at native resolution."""
    from daair.degradations import add_haze
    rng = np.random.default_rng(seed)
    img = np.full((h, w, 3), 0.30, np.float32) + rng.standard_normal((h, w, 3)).astype(np.float32) * 0.02
    img[40:110, 80:120] = 0.85
    img[:, 20:23] = 0.8
    img[:, 170:173] = 0.8
    hazy, _ = add_haze(np.clip(img, 0, 1), np.random.default_rng(seed))
    return hazy


def write_coarse_reference(model: DaAIR, name: str, ref_dir: str, side: int = 80) -> None:
    """reference/NAME-coarse-{dehaze,guard}.*: hazy 150x200 images dehazed coarse-to-fine
    (daair/coarse.py, side 80: factor 3) by the PyTorch model, for the Java engine's parity test of
    the same path (downscale, the dehaze graph, affine transfer). `dehaze`: a textured scene, as the
    engine runs by default; `guard`: a flat scene seen from above (`_asphalt`), with the guard on
    (its native run on the central square and the calibration); each JSON records the guard's
    weight there."""
    from daair import coarse
    from daair.degradations import add_haze
    base = reference_input(n=1, h=150, w=200, seed=2)[0].numpy().transpose(1, 2, 0)
    textured, _ = add_haze(base, np.random.default_rng(3))
    k = list(model.cfg.degradations).index("dehaze")
    route = FixedRoute(model, k).eval()

    def run(img):
        with torch.no_grad():
            return route(torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))[None])[0].numpy().transpose(1, 2, 0)

    for kind, hazy in (("dehaze", textured), ("guard", _asphalt())):
        guarded = kind == "guard"
        out = coarse.restore(run, hazy, side, guard=guarded)
        f = coarse.factor(150, 200, side)
        weight = coarse.guard_weight(coarse.native_gap(run, hazy, coarse.restore(run, hazy, side), side)[0])
        x = torch.from_numpy(np.ascontiguousarray(hazy.transpose(2, 0, 1)))[None]
        y = torch.from_numpy(np.ascontiguousarray(out.transpose(2, 0, 1)))[None]
        stem = f"{name}-coarse-{kind}"
        _write_tensor(os.path.join(ref_dir, stem + ".in.bin"), x)
        _write_tensor(os.path.join(ref_dir, stem + ".out.bin"), y)
        with open(os.path.join(ref_dir, stem + ".json"), "w") as fh:
            # no "graph": ReferenceParityTest runs graphs; CoarseDehazeTest runs the engine's coarse path
            json.dump({"route": "dehaze", "coarse_side": side, "factor": f, "guard": guarded,
                       "guard_weight": round(weight, 4),
                       "input": stem + ".in.bin", "input_shape": list(x.shape),
                       "output": stem + ".out.bin", "output_shape": list(y.shape), "tolerance": 5e-4}, fh, indent=1)


def export_all(model: DaAIR, name: str, out_dir: str, reference: bool = True) -> dict:
    os.makedirs(out_dir, exist_ok=True)
    ref_dir = os.path.join(out_dir, "reference")
    if reference:
        os.makedirs(ref_dir, exist_ok=True)
    model = model.eval()
    graphs = {}
    modules = {"auto": (Auto(model), "output")}
    for i, d in enumerate(model.cfg.degradations):
        modules[d] = (FixedRoute(model, i), "output")
    modules["classifier"] = (DegradationClassifier(model), "probs")
    mixed = mixed_reference()
    for key, (module, out_name) in modules.items():
        fname = f"{name}-{key}.onnx"
        path = os.path.join(out_dir, fname)
        example = mixed if key in ("auto", "classifier") else reference_input()
        with torch.no_grad():
            _export(module, example, path, out_name)
            if reference:
                y = module(example)
                base = os.path.join(ref_dir, f"{name}-{key}")
                _write_tensor(base + ".in.bin", example)
                _write_tensor(base + ".out.bin", y)
                with open(base + ".json", "w") as f:
                    json.dump({"graph": fname, "input": f"{name}-{key}.in.bin", "input_shape": list(example.shape),
                               "output": f"{name}-{key}.out.bin", "output_shape": list(y.shape),
                               "output_name": out_name, "tolerance": 1e-4}, f, indent=1)
        graphs[key] = {"file": fname, "sha256": sha256(path), "output": out_name}
    if reference and "dehaze" in model.cfg.degradations:
        write_coarse_reference(model, name, ref_dir)
    manifest = {"name": name, "degradations": list(model.cfg.degradations), "graphs": graphs,
                "input": "input: float32 N x 3 x H x W, RGB in [0,1]; H, W >= 8, any size",
                "config": model.cfg.to_dict()}
    with open(os.path.join(out_dir, f"{name}.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True, help="checkpoint (.pt) written by train.py or shipped in models/")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(HERE), "models"))
    ap.add_argument("--name", help="graph name prefix (default: the weights file's stem)")
    args = ap.parse_args()
    model = load_checkpoint(args.weights)
    name = args.name or os.path.splitext(os.path.basename(args.weights))[0]
    m = export_all(model, name, args.out)
    for k, g in m["graphs"].items():
        print(f"{g['file']}  {g['sha256']}")


if __name__ == "__main__":
    main()
