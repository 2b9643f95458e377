#!/usr/bin/python3
"""Validation curve of a training run (PNG): PSNR gain per degradation and routing accuracy.

    /usr/bin/python3 training/plot_log.py training/runs/daair-s/log.jsonl models/daair-s-val-curve.png

Draws with PIL only (no matplotlib on Debian's minimal set).
"""
import json
import sys
from collections import defaultdict

from PIL import Image, ImageDraw

COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
          (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]


def main():
    log, out = sys.argv[1], sys.argv[2]
    series = defaultdict(list)
    routing = []
    for line in open(log):
        r = json.loads(line)
        if "val" in r:
            for k, v in r["val"].items():
                series[k].append((r["step"], v["psnr"] - v["psnr_in"]))
            routing.append((r["step"], r["routing_accuracy"]))
    if not series:
        sys.exit("no validation records in " + log)
    W, H, L, R, T, B = 900, 520, 60, 230, 30, 50
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    steps = [s for v in series.values() for s, _ in v]
    gains = [g for v in series.values() for _, g in v]
    x0, x1 = 0, max(steps)
    y0, y1 = min(min(gains), 0) - 0.5, max(gains) + 0.5

    def px(s, g):
        return L + (s - x0) / max(1, x1 - x0) * (W - L - R), T + (y1 - g) / (y1 - y0) * (H - T - B)

    d.rectangle([L, T, W - R, H - B], outline="black")
    for g in range(int(y0), int(y1) + 1):
        _, y = px(0, g)
        d.line([L, y, W - R, y], fill=(225, 225, 225))
        d.text((L - 30, y - 6), f"{g:+d}", fill="black")
    d.line([px(0, 0)[0], px(0, 0)[1], px(x1, 0)[0], px(x1, 0)[1]], fill="black")
    for i in range(6):
        s = x0 + i * (x1 - x0) / 5
        x, _ = px(s, y0)
        d.text((x - 12, H - B + 6), f"{int(s)}", fill="black")
    d.text((W // 2 - 120, H - 22), "training step (validation: PSNR gain over the degraded input, dB)", fill="black")
    for i, (k, v) in enumerate(sorted(series.items())):
        c = COLORS[i % len(COLORS)]
        d.line([px(s, g) for s, g in v], fill=c, width=2)
        d.text((W - R + 10, T + 16 * i), f"{k}: {v[-1][1]:+.2f} dB", fill=c)
    d.text((W - R + 10, T + 16 * (len(series) + 1)), f"routing acc.: {routing[-1][1]:.3f}", fill="black")
    img.save(out)
    print("wrote", out)


if __name__ == "__main__":
    main()
