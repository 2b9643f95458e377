"""train.py's choice of what learns: a lone expert's fine-tune must leave every other route exact."""
import pytest
import torch
import os

from daair.model import DEGRADATIONS_5, build_model
from train import select_trainable


def _step(model, x, labels):
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    out = model(x, labels=labels)
    out.abs().mean().backward()
    opt.step()


def test_expert_fine_tune_changes_only_its_route():
    torch.manual_seed(0)
    model = build_model("daair-s")
    select_trainable(model, "expert:dehaze", DEGRADATIONS_5)
    learning = [n for n, p in model.named_parameters() if p.requires_grad]
    assert learning and all(".experts.2." in n for n in learning)
    assert len(learning) == sum(".experts.2." in n for n, _ in model.named_parameters())
    x = torch.rand(2, 3, 24, 24)
    model.eval()
    with torch.no_grad():
        before = {k: model(x, route=k, return_logits=True) for k in range(5)}
    model.train()
    _step(model, x, torch.tensor([2, 2]))
    model.eval()
    with torch.no_grad():
        for k in range(5):
            out, logits = model(x, route=k, return_logits=True)
            assert torch.equal(out, before[k][0]) == (k != 2), f"route {k}"
            # the routers see the same features unless the dehaze experts computed them; the
            # first sees the input alone (in auto mode, a later one sees what dehaze made of it)
            assert torch.equal(logits[0], before[k][1][0])
            assert all(torch.equal(a, b) for a, b in zip(logits, before[k][1])) == (k != 2)


def test_routers_mode_and_bad_names():
    model = build_model("daair-s")
    select_trainable(model, "routers", DEGRADATIONS_5)
    assert all((".router." in n) == p.requires_grad for n, p in model.named_parameters())
    for bad in ("expert:fog", "experts", "dale"):
        with pytest.raises(ValueError, match="expert:<one of denoise"):
            select_trainable(build_model("daair-s"), bad, DEGRADATIONS_5)


def test_merged_experts_give_each_route_its_donors_output():
    from merge_experts import merge
    torch.manual_seed(1)
    base = build_model("daair-s").eval()
    donors = {}
    for name, seed in (("dehaze", 2), ("denoise", 3)):
        m = build_model("daair-s")
        m.load_state_dict(base.state_dict())
        select_trainable(m, f"expert:{name}", DEGRADATIONS_5)
        torch.manual_seed(seed)
        _step(m, torch.rand(2, 3, 24, 24), torch.tensor([DEGRADATIONS_5.index(name)] * 2))
        donors[name] = m.eval()
    ck = lambda m, step: {"config": m.cfg.to_dict(), "model": m.state_dict(), "step": step}
    merged_ck = merge(ck(base, 100), {n: ck(m, 7) for n, m in donors.items()})
    assert merged_ck["step"] == 107
    merged = build_model("daair-s").eval()
    merged.load_state_dict(merged_ck["model"])
    x = torch.rand(1, 3, 20, 28)
    with torch.no_grad():
        for k, name in enumerate(DEGRADATIONS_5):
            source = donors.get(name, base)
            assert torch.equal(merged(x, route=k), source(x, route=k)), name
        assert not torch.equal(merged(x, route=2), base(x, route=2))


def test_a_weight_average_lies_between_its_two_checkpoints_and_loads():
    from average_weights import average
    torch.manual_seed(4)
    a = build_model("daair-s").eval()
    b = build_model("daair-s").eval()
    ck = lambda m, step: {"config": m.cfg.to_dict(), "model": m.state_dict(), "step": step}
    half = average(ck(a, 100), ck(b, 200), 0.5)
    assert half["averaged"] == {"share_of_b": 0.5, "steps": [100, 200]} and half["step"] == 100
    for k, t in a.state_dict().items():
        if t.is_floating_point():
            assert torch.allclose(half["model"][k], (t + b.state_dict()[k]) / 2), k
    soup = build_model("daair-s").eval()
    soup.load_state_dict(half["model"])
    none = average(ck(a, 100), ck(b, 200), 0.0)
    assert all(torch.equal(none["model"][k], t) for k, t in a.state_dict().items())
    other = build_model("daair-s")
    bad = {"config": dict(a.cfg.to_dict(), dim=a.cfg.to_dict()["dim"] + 8), "model": other.state_dict()}
    with pytest.raises(SystemExit):
        average(ck(a, 1), bad, 0.5)


def test_shippable_checkpoint_drops_optimizer_and_paths(tmp_path):
    # what ship.sh and candidate.sh write: the same tensors, no optimizer, no machine paths
    import subprocess
    import sys
    from daair import checkpoint
    ck = {"model": {"w": torch.arange(6.0).reshape(2, 3)}, "optimizer": {"state": {0: torch.ones(3)}},
          "step": 7, "config_name": "daair-s", "config": {"dim": 16},
          "experiment": {"seed": 3, "train_dir": "/here/train", "val_dir": "/here/val", "run_dir": "runs/x"}}
    src, dst = tmp_path / "last.pt", tmp_path / "model.pt"
    torch.save(ck, src)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-m", "daair.checkpoint", "ship", str(src), str(dst)], cwd=here,
                         capture_output=True, text=True, check=True).stdout
    assert out.startswith("step 7")
    shipped = checkpoint.read(str(dst))
    assert "optimizer" not in shipped and shipped["experiment"] == {"seed": 3}
    assert torch.equal(shipped["model"]["w"], ck["model"]["w"]) and shipped["step"] == 7


def test_a_half_checkpoint_loads_into_the_model_and_restores_as_the_float_one(tmp_path):
    # what gpu_scan.sh sends back: half the bytes, and the model it loads into is still float32
    from daair import checkpoint
    torch.manual_seed(0)
    m = build_model("daair-s").eval()
    ck = {"config_name": "daair-s", "config": m.cfg.to_dict(), "model": m.state_dict(), "step": 300,
          "optimizer": {"state": {}}, "experiment": {"seed": 1, "run_dir": "runs/x"}}
    torch.save(checkpoint.half(ck), tmp_path / "h.pt")
    h = checkpoint.read(str(tmp_path / "h.pt"))
    assert "optimizer" not in h and h["stored_as"] == "float16" and h["step"] == 300
    full = sum(v.numel() * v.element_size() for v in ck["model"].values())
    assert sum(v.numel() * v.element_size() for v in h["model"].values()) < 0.55 * full
    back = build_model("daair-s").eval()
    back.load_state_dict(h["model"])
    assert all(p.dtype == torch.float32 for p in back.parameters())
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        a, b = m(x), back(x)
    assert not torch.equal(a, b) and float((a - b).abs().max()) < 5e-3


def test_frequency_l1_weighs_a_blurs_lost_detail_far_more_than_an_offset_of_the_same_l1():
    from train import frequency_l1
    torch.manual_seed(0)
    sharp = torch.rand(2, 3, 64, 64)
    blurred = torch.nn.functional.avg_pool2d(sharp, 5, stride=1, padding=2, count_include_pad=False)
    pixel_l1 = (blurred - sharp).abs().mean()
    offset = sharp + pixel_l1
    assert torch.isclose((offset - sharp).abs().mean(), pixel_l1)
    assert float(frequency_l1(sharp, sharp)) == 0.0
    # the same pixel L1: spread over every frequency (blur) against one coefficient (offset)
    assert float(frequency_l1(blurred, sharp)) > 20 * float(frequency_l1(offset, sharp))
    # orthonormal: on the pixels' scale
    assert 0.2 < float(frequency_l1(blurred, sharp)) / float(pixel_l1) < 2
