#!/usr/bin/python3
"""Validation of two models side by side (the model card's history table), from evaluate.py JSONs.

    /usr/bin/python3 training/compare_val.py models/history/daair-s-v1-val.json models/daair-s-val.json [--names v1,v2]
"""
import argparse
import json


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--names", default="previous,new")
    a = ap.parse_args()
    old, new = json.load(open(a.old)), json.load(open(a.new))
    n_old, n_new = a.names.split(",")
    print(f"| set / degradation | input PSNR | {n_old} PSNR | {n_new} PSNR | {n_new} - {n_old} | "
          f"input SSIM | {n_old} SSIM | {n_new} SSIM | {n_old} routing | {n_new} routing |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for key in sorted(new["sets"]):
        o, v = old["sets"].get(key), new["sets"][key]
        deg = key.split("/")[1]
        if o is None:
            continue
        print(f"| {key} | {v['psnr_in']:.2f} | {o['psnr']:.2f} | {v['psnr']:.2f} | {v['psnr'] - o['psnr']:+.2f} | "
              f"{v['ssim_in']:.3f} | {o['ssim']:.3f} | {v['ssim']:.3f} | "
              f"{old['routing_accuracy'].get(deg, float('nan')):.3f} | {new['routing_accuracy'].get(deg, float('nan')):.3f} |")
    print(f"\nRouting accuracy over all images: {n_old} {old['routing_accuracy_all']:.3f}, "
          f"{n_new} {new['routing_accuracy_all']:.3f}")


if __name__ == "__main__":
    main()
