"""train.py's choice of what learns: a lone expert's fine-tune must leave every other route exact."""
import pytest
import torch

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
