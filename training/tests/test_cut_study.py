"""cut_study.py measures the clean clip's flicker as Flicker.java does, and splits a clip's excess
flicker by frame so that it adds up to the clip's."""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import cut_study  # noqa: E402

ROOT = os.path.join(HERE, "..", "..")
EVAL = os.path.join(ROOT, "bench", "results", "temporal-2026-12-04-s16-level.json")   # v14, the clip, session 16


def test_box_is_the_mean_over_five_by_five_with_edges_repeated():
    x = np.random.default_rng(0).random((7, 9))
    p = np.pad(x, 2, mode="edge")
    brute = np.array([[p[i:i + 5, j:j + 5].mean() for j in range(9)] for i in range(7)])
    assert np.allclose(cut_study.box(x), brute)


def test_the_clean_clips_flicker_is_the_engines():
    # the real clip, decoded as the engine decodes it: the still pixels and the clean flicker that
    # `./daair eval` wrote (Java) come back here to within rounding at the threshold
    from daair.video import read_rgb
    clean = read_rgb(os.path.join(ROOT, "samples", "temporal", "car-park-clean.mp4"))
    parts = cut_study.flicker_parts(clean, cut_study.still_masks(clean))
    with open(EVAL) as f:
        result = json.load(f)["result"]
    assert abs(parts[0].sum() / parts[1].sum() / result["flickerClean"] - 1) < 0.005
    for f in result["frameScores"][1:]:
        assert abs(parts[1, f["index"]] - f["stillPixels"]) <= 0.02 * f["stillPixels"] + 5
    # the excesses add up to the clip's flicker / clean - 1, and the jump at 64 is most of it
    rows = cut_study.excess(result, parts)
    total = sum(s - c for _, s, c in rows)
    assert abs(total - (result["stabilized"]["flicker"] / result["flickerClean"] - 1)) < 1e-9
    worst = max(rows, key=lambda r: r[1] - r[2])
    assert worst[0] == 64 and worst[1] - worst[2] > 0.5 * total


def test_a_level_jump_is_the_excess_and_the_error_trace_shows_it():
    rng = np.random.default_rng(1)
    scene = rng.random((24, 32, 3)).astype(np.float32) * 0.5 + 0.25
    clean = np.stack([scene + rng.normal(0, 0.001, scene.shape).astype(np.float32) for _ in range(8)])
    restored = clean.copy()
    restored[:5] -= 0.05                       # too dark until frame 5, then right
    masks = cut_study.still_masks(clean)
    assert all(m.all() for m in masks[1:])     # a still scene
    parts = cut_study.flicker_parts(restored, masks)
    clean_parts = cut_study.flicker_parts(clean, masks)
    n = masks[1].sum()
    result = {"flickerClean": clean_parts[0].sum() / clean_parts[1].sum(),
              "frameScores": [{"index": t, "stillPixels": int(parts[1, t]),
                               "flickerStabilized": parts[0, t] / n if t else 0.0} for t in range(8)]}
    rows = cut_study.excess(result, clean_parts)
    jump = [s - c for t, s, c in rows if t == 5][0]
    others = [abs(s - c) for t, s, c in rows if t != 5]
    assert jump > 10 * max(others)
    err = cut_study.level_errors(clean, restored, masks[5])
    assert np.allclose(err[:5], -0.05, atol=1e-4) and np.allclose(err[5:], 0, atol=1e-6)
    assert abs(cut_study.light_change(restored[5], restored[4]) - 0.05 / 0.5) < 0.05
