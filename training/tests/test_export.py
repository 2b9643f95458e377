"""ONNX export of every registered configuration: valid graphs with dynamic N, H, W; the fixed-route
graphs hold only their own expert; the auto graph dispatches by data (NonZero), not by a route
frozen at trace time. Numerical parity with ONNX Runtime is checked by the Java engine's tests
against the reference tensors written here (restore-engine: ReferenceParityTest)."""
import json
import os

import numpy as np
import onnx
import pytest
import torch

import export as exp
from daair.model import REGISTRY, FixedRoute, build_model

def _initializer_names(path):
    return {i.name for i in onnx.load(path).graph.initializer}

@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_export_every_configuration(name, tmp_path):
    """Every registered configuration exports to a valid graph. The paper-size ones export their
    fixed-route graph: tracing their auto graph takes minutes on 2 cores, and its dispatch code is
    the same as the small configurations' (whose auto graphs are exported here and below)."""
    torch.manual_seed(0)
    model = build_model(name).eval()
    path = str(tmp_path / "graph.onnx")
    large = sum(p.numel() for p in model.parameters()) > 3_000_000
    module = FixedRoute(model, 1) if large else exp.Auto(model)
    exp._export(module, exp.reference_input(n=2, h=20, w=28), path, "output")
    m = onnx.load(path)
    onnx.checker.check_model(m)
    assert ("NonZero" in {n.op_type for n in m.graph.node}) == (not large)
    assert len(_initializer_names(path)) > 0


def test_export_all_graphs(tmp_path):
    name = "daair-s"
    torch.manual_seed(0)
    model = build_model(name).eval()
    manifest = exp.export_all(model, name, str(tmp_path), reference=True)
    assert manifest["degradations"] == list(model.cfg.degradations)
    assert set(manifest["graphs"]) == {"auto", "classifier", *model.cfg.degradations}
    for key, g in manifest["graphs"].items():
        path = tmp_path / g["file"]
        m = onnx.load(str(path))
        onnx.checker.check_model(m)
        dims = m.graph.input[0].type.tensor_type.shape.dim
        assert [d.dim_param for d in dims] == ["batch", "", "height", "width"]
        assert os.path.getsize(path) < 50 * 1024 * 1024
    auto_ops = {n.op_type for n in onnx.load(str(tmp_path / manifest["graphs"]["auto"]["file"])).graph.node}
    assert "NonZero" in auto_ops
    # fixed-route graphs: no other expert's weights; the auto graph has all of them
    e = model.cfg.num_experts
    for i, d in enumerate(model.cfg.degradations):
        names = " ".join(_initializer_names(str(tmp_path / manifest["graphs"][d]["file"])))
        fixed_ops = {n.op_type for n in onnx.load(str(tmp_path / manifest["graphs"][d]["file"])).graph.node}
        assert "NonZero" not in fixed_ops
        for j in range(e):
            present = f"experts.{j}." in names
            assert present == (i == j), (d, j)

    # the reference tensors written for the Java parity test are PyTorch's own output
    meta = json.load(open(tmp_path / "reference" / "daair-s-derain.json"))
    x = np.fromfile(tmp_path / "reference" / meta["input"], dtype="<f4").reshape(meta["input_shape"])
    y = np.fromfile(tmp_path / "reference" / meta["output"], dtype="<f4").reshape(meta["output_shape"])
    with torch.no_grad():
        ref = model(torch.from_numpy(x), route=1).numpy()
    assert np.abs(ref - y).max() < 1e-6
    assert x.shape[2] % 8 != 0 and x.shape[3] % 8 != 0  # exercises the in-graph padding
