"""DaAIR: Efficient Degradation-aware Any Image Restoration (Zamfir et al., 2024).

One file for the whole architecture (timm style). Section numbers (§) and ambiguity tags (A*)
refer to ../shared/notes/daair-architecture.md, which describes the network part by part.

Data flow: 3x3 patch embedding -> 3 encoder levels + latent of encoder blocks (DaLe before
channel self-attention, then GDFN) -> 3 decoder levels of decoder blocks (DaLe + controller feeding
cross-attention, then GDFN) -> refinement blocks -> feature residual -> 3x3 output conv (+ image
residual). Every DaLe routes each *image* to one specialised low-rank expert (top-1), gathering the
images routed to one expert into a sub-batch (real dispatch, not compute-all-and-mask).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, asdict, replace
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

# Degradation types; the expert index equals the type index by convention (§2.4).
DEGRADATIONS_5 = ("denoise", "derain", "dehaze", "deblur", "lowlight")
DEGRADATIONS_3 = ("denoise", "derain", "dehaze")


@dataclass(frozen=True)
class DaAIRConfig:
    dim: int = 24                                   # C, width at level 1
    enc_blocks: Sequence[int] = (2, 4, 4, 6)        # N_1..N_3 and latent N_4
    dec_blocks: Sequence[int] = (2, 4, 4)           # M_1..M_3 (level 1..3)
    refine_blocks: int = 2                          # R
    heads: Sequence[int] = (1, 2, 4, 8)
    ffn_expansion: float = 2.66                     # gamma
    rank_ratio: int = 4                             # r, c_R = max(min_rank, C_l / r)
    min_rank: int = 4
    kernel: int = 11                                # k of the Conv2Former depthwise conv
    degradations: Sequence[str] = DEGRADATIONS_5    # E = len(degradations)
    dale_residual: bool = True                      # A4: x_hat = u + W_up(m)
    gate_scale: bool = True                         # A5: m_b *= p_{b, e_b}
    feature_residual: bool = True                   # A9: Conv_out(Refine + F0) (paper figure)
    image_residual: bool = True                     # A9: + input image (PromptIR); both may be on
    controller_mode: str = "blend"                  # A7: "blend" (grad + EMA) or "ema" (EMA only)
    ema_alpha: float = 0.999                        # alpha of the controller EMA

    @property
    def num_experts(self) -> int:
        return len(self.degradations)

    def to_dict(self) -> dict:
        d = asdict(self)
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in d.items()}

    @staticmethod
    def from_dict(d: dict) -> "DaAIRConfig":
        d = dict(d)
        for k in ("enc_blocks", "dec_blocks", "heads", "degradations"):
            if k in d:
                d[k] = tuple(d[k])
        return DaAIRConfig(**d)


# --------------------------------------------------------------------------------------------
# Registry of named configurations: one code path, different sizes.
# --------------------------------------------------------------------------------------------
REGISTRY = {
    # The paper's size (note §4.3 config A): 5.92 M params with E=3, 6.36 M with E=5.
    "daair": DaAIRConfig(),
    "daair-3deg": DaAIRConfig(degradations=DEGRADATIONS_3),
    # Small enough to train usefully on 2 CPU cores (note §4.4 config T1, ~1.1 M params).
    "daair-s": DaAIRConfig(dim=16, enc_blocks=(1, 1, 1, 2), dec_blocks=(1, 1, 1), refine_blocks=1,
                           heads=(1, 1, 2, 4), kernel=7),
    "daair-s-3deg": DaAIRConfig(dim=16, enc_blocks=(1, 1, 1, 2), dec_blocks=(1, 1, 1),
                                refine_blocks=1, heads=(1, 1, 2, 4), kernel=7,
                                degradations=DEGRADATIONS_3),
}


def get_config(name: str, **overrides) -> DaAIRConfig:
    if name not in REGISTRY:
        raise KeyError(f"unknown configuration '{name}'; known: {', '.join(sorted(REGISTRY))}")
    return replace(REGISTRY[name], **overrides) if overrides else REGISTRY[name]


def build_model(name_or_config, **overrides) -> "DaAIR":
    cfg = get_config(name_or_config, **overrides) if isinstance(name_or_config, str) else name_or_config
    return DaAIR(cfg)


# --------------------------------------------------------------------------------------------
# MAC counting hook for the attention matrix products (convs/linears are counted by hooks in
# profile.py); a module-level list so tracing/export is unaffected when it is None.
# --------------------------------------------------------------------------------------------
_MAC_COUNTER: Optional[List[int]] = None


# --------------------------------------------------------------------------------------------
# Building blocks (§2.3)
# --------------------------------------------------------------------------------------------
class LayerNorm2d(nn.Module):
    """Channel LayerNorm ("WithBias"): normalise each pixel's C-vector, channels-first."""

    def __init__(self, dim: int, eps: float = 1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim))
        self.eps = eps

    def forward(self, x):
        mu = x.mean(1, keepdim=True)
        var = (x - mu).pow(2).mean(1, keepdim=True)
        x = (x - mu) / torch.sqrt(var + self.eps)
        return x * self.weight[:, None, None] + self.bias[:, None, None]


def _channel_attention(q, k, v, heads: int, temperature):
    """Transposed attention: a (C/h)x(C/h) map per head, linear in pixel count."""
    b, c, h, w = q.shape
    q = q.reshape(b, heads, c // heads, h * w)
    k = k.reshape(b, heads, c // heads, h * w)
    v = v.reshape(b, heads, c // heads, h * w)
    q = F.normalize(q, dim=-1)
    k = F.normalize(k, dim=-1)
    attn = (q @ k.transpose(-2, -1)) * temperature
    attn = attn.softmax(dim=-1)
    out = attn @ v
    if _MAC_COUNTER is not None:
        _MAC_COUNTER[0] += 2 * b * heads * (c // heads) ** 2 * h * w
    return out.reshape(b, c, h, w)


class MDTA(nn.Module):
    """Multi-Dconv-head transposed self-attention (encoder, refinement)."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.temperature = nn.Parameter(torch.ones(heads, 1, 1))
        self.qkv = nn.Conv2d(dim, dim * 3, 1, bias=False)
        self.qkv_dw = nn.Conv2d(dim * 3, dim * 3, 3, padding=1, groups=dim * 3, bias=False)
        self.project_out = nn.Conv2d(dim, dim, 1, bias=False)

    def forward(self, x):
        q, k, v = self.qkv_dw(self.qkv(x)).chunk(3, dim=1)
        return self.project_out(_channel_attention(q, k, v, self.heads, self.temperature))


class CrossAttention(nn.Module):
    """Decoder attention: queries and values from the DaLe features x_hat, keys from the
    controller features x_c (DaAIR's wording; MoCE-IR differs, see the note)."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.temperature = nn.Parameter(torch.ones(heads, 1, 1))
        self.qv = nn.Conv2d(dim, dim * 2, 1, bias=False)
        self.qv_dw = nn.Conv2d(dim * 2, dim * 2, 3, padding=1, groups=dim * 2, bias=False)
        self.k = nn.Conv2d(dim, dim, 1, bias=False)
        self.k_dw = nn.Conv2d(dim, dim, 3, padding=1, groups=dim, bias=False)
        self.project_out = nn.Conv2d(dim, dim, 1, bias=False)

    def forward(self, x_hat, x_c):
        q, v = self.qv_dw(self.qv(x_hat)).chunk(2, dim=1)
        k = self.k_dw(self.k(x_c))
        return self.project_out(_channel_attention(q, k, v, self.heads, self.temperature))


class GDFN(nn.Module):
    """Gated-Dconv feed-forward network."""

    def __init__(self, dim: int, expansion: float):
        super().__init__()
        hidden = int(dim * expansion)
        self.project_in = nn.Conv2d(dim, hidden * 2, 1, bias=False)
        self.dwconv = nn.Conv2d(hidden * 2, hidden * 2, 3, padding=1, groups=hidden * 2, bias=False)
        self.project_out = nn.Conv2d(hidden, dim, 1, bias=False)

    def forward(self, x):
        g, v = self.dwconv(self.project_in(x)).chunk(2, dim=1)
        return self.project_out(F.gelu(g) * v)


class LowRankExpert(nn.Module):
    """Shared design of the agnostic expert, each specialised expert and the controller:
    1x1 projection C -> c_R, then Conv2Former modulation in c_R (1x1 -> (a, v); a = DW_kxk(GELU(a));
    a * v; 1x1). Returns c_R channels; the expansion back to C is shared and lives in DaLe."""

    def __init__(self, dim: int, rank: int, kernel: int):
        super().__init__()
        self.proj = nn.Conv2d(dim, rank, 1, bias=False)
        self.to_av = nn.Conv2d(rank, rank * 2, 1)
        self.dw = nn.Conv2d(rank, rank, kernel, padding=kernel // 2, groups=rank)
        self.out = nn.Conv2d(rank, rank, 1)

    def forward(self, u):
        a, v = self.to_av(self.proj(u)).chunk(2, dim=1)
        return self.out(self.dw(F.gelu(a)) * v)


class DaLe(nn.Module):
    """Degradation-aware Learner (§2.3). The router (pool + bias-free linear) picks one specialised
    expert per image; the images routed to an expert form a sub-batch; the agnostic expert sees the
    whole batch; specialised * agnostic, then one shared 1x1 expansion back to C.
    With `controller=True` (decoder) it also returns the controller features x_c."""

    def __init__(self, dim: int, cfg: DaAIRConfig, controller: bool = False):
        super().__init__()
        rank = max(cfg.min_rank, dim // cfg.rank_ratio)
        self.num_experts = cfg.num_experts
        self.residual = cfg.dale_residual
        self.gate_scale = cfg.gate_scale
        self.router = nn.Linear(dim, cfg.num_experts, bias=False)
        self.experts = nn.ModuleList(LowRankExpert(dim, rank, cfg.kernel) for _ in range(cfg.num_experts))
        self.agnostic = LowRankExpert(dim, rank, cfg.kernel)
        self.expand = nn.Conv2d(rank, dim, 1, bias=False)
        self.controller = LowRankExpert(dim, rank, cfg.kernel) if controller else None
        self.controller_expand = nn.Conv2d(rank, dim, 1, bias=False) if controller else None

    def forward(self, u, ctx: "RoutingContext"):
        logits = self.router(u.mean(dim=(2, 3)))
        ctx.logits.append(logits)
        probs = logits.softmax(dim=1)
        a = self.agnostic(u)
        if ctx.route is not None:
            # Route fixed for the whole batch (per-degradation graphs): only that expert runs.
            d = self.experts[ctx.route](u)
            if self.gate_scale:
                d = d * probs[:, ctx.route].reshape(-1, 1, 1, 1)
        else:
            choice = ctx.labels if ctx.labels is not None else probs.argmax(dim=1)
            d = self._dispatch(u, probs, choice)
        m = d * a
        x_hat = self.expand(m)
        if self.residual:
            x_hat = x_hat + u
        if self.controller is None:
            return x_hat, None
        return x_hat, self.controller_expand(self.controller(u))

    def _dispatch(self, u, probs, choice):
        """Gather the images routed to each expert into a sub-batch, run it, scatter back."""
        out = None
        tracing = torch.jit.is_tracing()
        for e, expert in enumerate(self.experts):
            idx = (choice == e).nonzero().reshape(-1)
            if not tracing and idx.numel() == 0:
                continue  # empty group: the expert does not run
            d = expert(u.index_select(0, idx))
            if self.gate_scale:
                d = d * probs.index_select(0, idx)[:, e].reshape(-1, 1, 1, 1)
            if out is None:
                out = d.new_zeros((u.shape[0],) + tuple(d.shape[1:]))  # d's dtype: bf16 under autocast
            out = out.index_copy(0, idx, d)
        return out


class RoutingContext:
    """Per-forward routing state shared by every DaLe: a fixed route, teacher-forcing labels, and
    the collected router logits (for the auxiliary loss)."""

    def __init__(self, route: Optional[int] = None, labels: Optional[torch.Tensor] = None):
        self.route = route
        self.labels = labels
        self.logits: List[torch.Tensor] = []


class EncoderBlock(nn.Module):
    """x <- x + MDTA(DaLe(LN1(x))); x <- x + GDFN(LN2(x))."""

    def __init__(self, dim: int, heads: int, cfg: DaAIRConfig):
        super().__init__()
        self.norm1 = LayerNorm2d(dim)
        self.dale = DaLe(dim, cfg)
        self.attn = MDTA(dim, heads)
        self.norm2 = LayerNorm2d(dim)
        self.ffn = GDFN(dim, cfg.ffn_expansion)

    def forward(self, x, ctx):
        x_hat, _ = self.dale(self.norm1(x), ctx)
        x = x + self.attn(x_hat)
        return x + self.ffn(self.norm2(x))


class DecoderBlock(nn.Module):
    """x <- x + CrossAttn(x_hat, x_c) with (x_hat, x_c) = DaLe+controller(LN1(x)); x <- x + GDFN."""

    def __init__(self, dim: int, heads: int, cfg: DaAIRConfig):
        super().__init__()
        self.norm1 = LayerNorm2d(dim)
        self.dale = DaLe(dim, cfg, controller=True)
        self.attn = CrossAttention(dim, heads)
        self.norm2 = LayerNorm2d(dim)
        self.ffn = GDFN(dim, cfg.ffn_expansion)

    def forward(self, x, ctx):
        x_hat, x_c = self.dale(self.norm1(x), ctx)
        x = x + self.attn(x_hat, x_c)
        return x + self.ffn(self.norm2(x))


class PlainBlock(nn.Module):
    """Refinement block: MDTA + GDFN, no DaLe (A10)."""

    def __init__(self, dim: int, heads: int, cfg: DaAIRConfig):
        super().__init__()
        self.norm1 = LayerNorm2d(dim)
        self.attn = MDTA(dim, heads)
        self.norm2 = LayerNorm2d(dim)
        self.ffn = GDFN(dim, cfg.ffn_expansion)

    def forward(self, x, ctx=None):
        x = x + self.attn(self.norm1(x))
        return x + self.ffn(self.norm2(x))


class Downsample(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(dim, dim // 2, 3, padding=1, bias=False), nn.PixelUnshuffle(2))

    def forward(self, x):
        return self.body(x)


class Upsample(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(dim, dim * 2, 3, padding=1, bias=False), nn.PixelShuffle(2))

    def forward(self, x):
        return self.body(x)


def _run(blocks: nn.ModuleList, x, ctx):
    for blk in blocks:
        x = blk(x, ctx)
    return x


# --------------------------------------------------------------------------------------------
# The network
# --------------------------------------------------------------------------------------------
class DaAIR(nn.Module):
    def __init__(self, cfg: DaAIRConfig):
        super().__init__()
        if cfg.controller_mode not in ("blend", "ema"):
            raise ValueError(f"controller_mode must be 'blend' or 'ema', not {cfg.controller_mode!r}")
        self.cfg = cfg
        c = cfg.dim
        widths = [c, 2 * c, 4 * c, 8 * c]
        self.embed = nn.Conv2d(3, c, 3, padding=1, bias=False)
        self.encoders = nn.ModuleList(
            nn.ModuleList(EncoderBlock(widths[l], cfg.heads[l], cfg) for _ in range(cfg.enc_blocks[l]))
            for l in range(4))
        self.downs = nn.ModuleList(Downsample(widths[l]) for l in range(3))
        self.ups = nn.ModuleList(Upsample(widths[l + 1]) for l in range(3))       # up into level l
        self.fuse = nn.ModuleList(nn.Conv2d(2 * widths[l], widths[l], 1, bias=False) for l in range(3))
        self.decoders = nn.ModuleList(
            nn.ModuleList(DecoderBlock(widths[l], cfg.heads[l], cfg) for _ in range(cfg.dec_blocks[l]))
            for l in range(3))
        self.refine = nn.ModuleList(PlainBlock(c, cfg.heads[0], cfg) for _ in range(cfg.refine_blocks))
        self.output = nn.Conv2d(c, 3, 3, padding=1, bias=False)
        # Controller <-> agnostic-expert pairing (§2.5): decoder block j of level l is tied to
        # encoder block min(j, N_l - 1) of the same level. Initialise the controller as a copy.
        self._pairs = []
        for l in range(3):
            for j, dblk in enumerate(self.decoders[l]):
                eblk = self.encoders[l][min(j, cfg.enc_blocks[l] - 1)]
                self._pairs.append((dblk.dale.controller, eblk.dale.agnostic))
        with torch.no_grad():
            for ctrl, agn in self._pairs:
                for pc, pa in zip(ctrl.parameters(), agn.parameters()):
                    pc.copy_(pa)
                    if cfg.controller_mode == "ema":
                        pc.requires_grad_(False)

    @property
    def degradations(self):
        return self.cfg.degradations

    @torch.no_grad()
    def ema_update(self, alpha: Optional[float] = None):
        """theta_C <- alpha * theta_C + (1 - alpha) * theta_A, after every optimizer step."""
        a = self.cfg.ema_alpha if alpha is None else alpha
        for ctrl, agn in self._pairs:
            for pc, pa in zip(ctrl.parameters(), agn.parameters()):
                pc.mul_(a).add_(pa, alpha=1.0 - a)

    def controller_pairs(self):
        return list(self._pairs)

    def _pad(self, x):
        # Any H, W: reflect-pad to a multiple of 8 inside the graph, crop back at the end.
        h, w = x.shape[-2], x.shape[-1]
        ph = (8 - h % 8) % 8
        pw = (8 - w % 8) % 8
        if torch.jit.is_tracing() or ph or pw:
            x = F.pad(x, (0, pw, 0, ph), mode="reflect")
        return x, h, w

    def encode(self, x, ctx: RoutingContext):
        f0 = self.embed(x)
        skips = []
        f = f0
        for l in range(3):
            f = _run(self.encoders[l], f, ctx)
            skips.append(f)
            f = self.downs[l](f)
        f = _run(self.encoders[3], f, ctx)
        return f0, skips, f

    def forward(self, x, route: Optional[int] = None, labels: Optional[torch.Tensor] = None,
                return_logits: bool = False):
        """x: B x 3 x H x W in [0, 1]. route: fix every DaLe to one expert (per-degradation graph).
        labels: teacher forcing (route by ground truth). Returns the restored image, and with
        return_logits the list of every router's logits (for the auxiliary loss)."""
        ctx = RoutingContext(route=route, labels=labels)
        inp = x
        x, h, w = self._pad(x)
        f0, skips, f = self.encode(x, ctx)
        for l in (2, 1, 0):
            f = self.fuse[l](torch.cat([self.ups[l](f), skips[l]], dim=1))
            f = _run(self.decoders[l], f, ctx)
        f = _run(self.refine, f, ctx)
        if self.cfg.feature_residual:
            f = f + f0
        out = self.output(f)[:, :, :h, :w]
        if self.cfg.image_residual:
            out = out + inp
        return (out, ctx.logits) if return_logits else out


class DegradationClassifier(nn.Module):
    """The encoder alone (embedding, three levels, latent) with the mean softmax of every encoder
    router: a degradation classifier that shares the restorer's weights. Output B x E."""

    def __init__(self, model: DaAIR):
        super().__init__()
        self.model = model

    def forward(self, x):
        ctx = RoutingContext()
        x, _, _ = self.model._pad(x)
        self.model.encode(x, ctx)
        probs = torch.stack([z.softmax(dim=1) for z in ctx.logits], dim=0)
        return probs.mean(dim=0)


class FixedRoute(nn.Module):
    """Wraps the model with every DaLe fixed to one expert (for per-degradation export)."""

    def __init__(self, model: DaAIR, route: int):
        super().__init__()
        self.model = model
        self.route = route

    def forward(self, x):
        return self.model(x, route=self.route)


def aux_routing_loss(logits: List[torch.Tensor], labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy between every router's logits and the degradation label (§2.6)."""
    return torch.stack([F.cross_entropy(z, labels) for z in logits]).mean()


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
