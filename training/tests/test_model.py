"""Model tests, parametrised over every registered configuration (CPU, tiny inputs)."""
import copy

import pytest
import torch

from daair.model import (REGISTRY, DaAIR, DegradationClassifier, aux_routing_loss, build_model,
                         count_parameters, get_config, LowRankExpert)
from daair.profile import count_macs

torch.set_num_threads(1)
CONFIGS = sorted(REGISTRY)


@pytest.fixture(scope="module", params=CONFIGS)
def model(request):
    torch.manual_seed(0)
    return build_model(request.param)


@pytest.mark.parametrize("shape", [(2, 3, 32, 32), (3, 3, 37, 45), (1, 3, 24, 17)])
def test_forward_backward_any_size(model, shape):
    x = torch.rand(*shape)
    labels = torch.arange(shape[0]) % model.cfg.num_experts
    model.train()
    out, logits = model(x, return_logits=True)
    assert out.shape == x.shape
    assert torch.isfinite(out).all()
    n_dale = sum(model.cfg.enc_blocks) + sum(model.cfg.dec_blocks)
    assert len(logits) == n_dale and all(z.shape == (shape[0], model.cfg.num_experts) for z in logits)
    loss = (out - x).abs().mean() + 0.1 * aux_routing_loss(logits, labels)
    model.zero_grad()
    loss.backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)
    assert all(p.grad is not None for n, p in model.named_parameters() if "router" in n)


def test_channels_last_computes_the_same_function(model):
    """train.py's channels_last option changes the memory layout only: same outputs, same grads."""
    torch.manual_seed(1)
    x = torch.rand(2, 3, 32, 40)
    cl = copy.deepcopy(model).to(memory_format=torch.channels_last)
    model.eval()
    cl.eval()
    with torch.no_grad():
        a = model(x)
        b = cl(x.contiguous(memory_format=torch.channels_last))
    assert torch.allclose(a, b, atol=1e-5), (a - b).abs().max()


def test_level_widths_and_sizes(model):
    c = model.cfg.dim
    x = torch.rand(1, 3, 32, 48)
    seen = {}

    def record(level):
        def hook(module, inp, out):
            seen[level] = out.shape
        return hook
    hooks = [blk.register_forward_hook(record(l)) for l in range(4) for blk in model.encoders[l]]
    model.eval()(x)
    for h in hooks:
        h.remove()
    for l in range(4):
        assert seen[l] == (1, c * 2 ** l, 32 // 2 ** l, 48 // 2 ** l)


def test_parameter_counts_match_the_note():
    # Regression against silent architecture drift (architecture note, config A and T1).
    assert round(count_parameters(build_model("daair-3deg")) / 1e6, 2) == 5.92
    assert round(count_parameters(build_model("daair")) / 1e6, 2) == 6.36
    assert round(count_parameters(build_model("daair-s-3deg")) / 1e6, 2) == 1.10
    assert round(count_macs(build_model("daair")) / 1e9, 2) == 15.74
    assert round(count_macs(build_model("daair-s")) / 1e9, 2) == 3.05


def test_dispatch_equals_per_sample(model):
    """Sub-batch dispatch of a mixed batch gives what running each image alone gives."""
    torch.manual_seed(1)
    model.eval()
    x = torch.rand(5, 3, 24, 24)
    labels = torch.tensor([0, 1, 0, model.cfg.num_experts - 1, 1])
    with torch.no_grad():
        together = model(x, labels=labels)
        alone = torch.cat([model(x[i:i + 1], labels=labels[i:i + 1]) for i in range(5)])
    assert torch.allclose(together, alone, atol=1e-5)


def test_dispatch_runs_only_routed_experts_and_keeps_order():
    torch.manual_seed(2)
    model = build_model("daair-s").eval()
    dale = model.encoders[0][0].dale
    calls = {i: [] for i in range(len(dale.experts))}
    hooks = [e.register_forward_hook(lambda m, inp, out, i=i: calls[i].append(inp[0].shape[0]))
             for i, e in enumerate(dale.experts)]
    x = torch.rand(4, 3, 16, 16)
    labels = torch.tensor([2, 0, 2, 2])
    with torch.no_grad():
        model(x, labels=labels)
    assert calls[0] == [1] and calls[2] == [3]
    assert calls[1] == [] and calls[3] == [] and calls[4] == []  # empty groups do not run
    # batch size 1 in eval (router argmax): exactly one specialised expert runs per DaLe
    for v in calls.values():
        v.clear()
    with torch.no_grad():
        model(x[:1])
    assert sum(len(v) for v in calls.values()) == 1
    for h in hooks:
        h.remove()


def test_fixed_route_matches_auto_when_router_agrees():
    torch.manual_seed(3)
    model = build_model("daair-s").eval()
    x = torch.rand(2, 3, 16, 16)
    with torch.no_grad():
        forced = model(x, labels=torch.tensor([3, 3]))
        fixed = model(x, route=3)
    assert torch.allclose(forced, fixed, atol=1e-6)


def test_ema_update_follows_the_formula():
    torch.manual_seed(4)
    model = build_model("daair-s")
    ctrl, agn = model.controller_pairs()[0]
    assert all(torch.equal(pc, pa) for pc, pa in zip(ctrl.parameters(), agn.parameters()))  # init copy
    with torch.no_grad():
        for p in agn.parameters():
            p.add_(torch.randn_like(p))
    theta_c0 = [p.clone() for p in ctrl.parameters()]
    theta_a = [p.clone() for p in agn.parameters()]
    alpha, k = 0.9, 5
    for _ in range(k):
        model.ema_update(alpha)
    for pc, c0, a in zip(ctrl.parameters(), theta_c0, theta_a):
        assert torch.allclose(pc, alpha ** k * c0 + (1 - alpha ** k) * a, atol=1e-6)
    model.ema_update(0.0)
    assert all(torch.equal(pc, pa) for pc, pa in zip(ctrl.parameters(), agn.parameters()))


def test_controller_modes_and_gradients():
    x = torch.rand(2, 3, 16, 16)
    for mode, expect_grad in (("blend", True), ("ema", False)):
        torch.manual_seed(5)
        model = build_model("daair-s", controller_mode=mode).train()
        out, logits = model(x, return_logits=True)
        out.abs().mean().backward()
        ctrl, _ = model.controller_pairs()[0]
        has_grad = [p.grad is not None and p.grad.abs().sum() > 0 for p in ctrl.parameters()]
        assert all(has_grad) if expect_grad else not any(has_grad)


def test_cross_attention_keys_come_from_controller():
    torch.manual_seed(6)
    attn = build_model("daair-s").decoders[0][0].attn.eval()
    x_hat, x_c = torch.rand(1, 16, 8, 8), torch.rand(1, 16, 8, 8)
    with torch.no_grad():
        base = attn(x_hat, x_c)
        assert not torch.allclose(attn(x_hat, x_c + torch.rand_like(x_c)), base)
        assert not torch.allclose(attn(x_hat + torch.rand_like(x_hat), x_c), base)
        # the controller input only enters through the key convolutions
        attn.k.weight.zero_()
        assert torch.allclose(attn(x_hat, x_c), attn(x_hat, x_c + torch.rand_like(x_c)))


def test_classifier_outputs_probabilities():
    model = build_model("daair-s").eval()
    with torch.no_grad():
        p = DegradationClassifier(model)(torch.rand(3, 3, 40, 36))
    assert p.shape == (3, 5)
    assert torch.allclose(p.sum(1), torch.ones(3), atol=1e-5)


def test_aux_loss_falls_and_routers_learn_on_a_toy_set():
    """Three trivially separable 'degradations' (dark, bright, noisy): the routers must learn them."""
    torch.manual_seed(7)
    model = build_model("daair-s-3deg").train()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    g = torch.Generator().manual_seed(0)

    def batch():
        base = torch.rand(6, 3, 16, 16, generator=g) * 0.5 + 0.25
        labels = torch.tensor([0, 1, 2, 0, 1, 2])
        x = base.clone()
        x[labels == 0] *= 0.2
        x[labels == 1] = x[labels == 1] * 0.2 + 0.8
        x[labels == 2] += 0.3 * torch.randn(2, 3, 16, 16, generator=g)
        return x, base, labels

    first = last = None
    for step in range(60):
        x, y, labels = batch()
        out, logits = model(x, return_logits=True)
        aux = aux_routing_loss(logits, labels)
        loss = (out - y).abs().mean() + aux
        opt.zero_grad()
        loss.backward()
        opt.step()
        model.ema_update()
        first = float(aux) if first is None else first
        last = float(aux)
    assert last < 0.5 * first
    model.eval()
    x, _, labels = batch()
    with torch.no_grad():
        acc = (DegradationClassifier(model)(x).argmax(1) == labels).float().mean()
    assert acc == 1.0
