"""Parameters and MACs of a configuration.

MACs are counted with forward hooks on every Conv2d and Linear, plus the two channel-attention
matrix products per attention layer (the convention of the architecture note, which reproduces the
published Restormer / PromptIR counts). Evaluation routing: one specialised expert per image.

    /usr/bin/python3 -m daair.profile [--size 224] [names...]
"""
import argparse

import torch
import torch.nn as nn

from . import model as M


def count_macs(net: M.DaAIR, height: int = 224, width: int = 224, route: int = 0) -> int:
    total = [0]

    def conv_hook(mod, inp, out):
        k = mod.kernel_size[0] * mod.kernel_size[1] * (mod.in_channels // mod.groups)
        total[0] += out.numel() * k

    def linear_hook(mod, inp, out):
        total[0] += out.numel() * mod.in_features

    hooks = []
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    M._MAC_COUNTER = total
    try:
        with torch.no_grad():
            net.eval()(torch.zeros(1, 3, height, width), route=route)
    finally:
        M._MAC_COUNTER = None
        for h in hooks:
            h.remove()
    return total[0]


def describe(name: str, size: int = 224) -> dict:
    net = M.build_model(name)
    return {"name": name, "params": M.count_parameters(net),
            "gmacs": count_macs(net, size, size) / 1e9, "size": size,
            "experts": net.cfg.num_experts}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", default=sorted(M.REGISTRY))
    ap.add_argument("--size", type=int, default=224)
    args = ap.parse_args()
    print(f"{'config':<14} {'E':>2} {'params':>10} {'GMACs@' + str(args.size):>12}")
    for n in args.names:
        d = describe(n, args.size)
        print(f"{n:<14} {d['experts']:>2} {d['params'] / 1e6:>9.3f}M {d['gmacs']:>12.2f}")


if __name__ == "__main__":
    main()
