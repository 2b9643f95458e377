"""temporal_segments.py reads `./daair eval --json` the way the clip's own numbers are pooled."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import temporal_segments  # noqa: E402

V14 = os.path.join(HERE, "..", "..", "bench", "results", "temporal-2026-11-28-v14.json")
# since session 12 an eval output has every frame's moving-pixel errors
S12 = os.path.join(HERE, "..", "..", "bench", "results", "temporal-2026-12-03-s12-fast-objects.json")
S13 = os.path.join(HERE, "..", "..", "bench", "results", "temporal-2026-12-03-s13-light.json")


def test_segments_pool_back_to_the_clips_flicker():
    # a real eval output (model v14): the still-pixel-weighted segments must give back the clip's
    # stabilised flicker, and their shares must sum to one
    with open(V14) as f:
        result = json.load(f)["result"]
    segs = temporal_segments.segments(result)
    assert [s["segment"] for s in segs] == ["rain", "switch", "haze", "noise"]
    still = sum(s["still"] for s in segs)
    pooled = sum(s["stabilized"] * s["still"] for s in segs) / still
    assert abs(pooled - result["stabilized"]["flicker"] / result["flickerClean"]) < 1e-9
    assert abs(sum(s["share"] for s in segs) - 1) < 1e-9
    # the noise segment is the worst, as docs/temporal-stability.md says
    assert max(segs, key=lambda s: s["stabilized"])["segment"] == "noise"


def test_summary_names_every_segment():
    with open(V14) as f:
        text = temporal_segments.summary(json.load(f)["result"])
    assert text.startswith("per frame 25.04 dB, stabilised 29.12 dB")
    assert all(name in text for name in ("rain", "switch", "haze", "noise"))


def test_moving_pixels_pool_back_to_the_clips():
    # the segments' moving values and errors, pooled, give the clip's moving-pixel PSNRs
    with open(S12) as f:
        result = json.load(f)["result"]
    segs = temporal_segments.segments(result)
    n = sum(s["moving"] for s in segs) * 3
    assert n > 0
    for key, clip in (("movingRestored", "perFrame"), ("movingStabilized", "stabilized")):
        se = sum(10 ** (-s[key] / 10) * 255.0 ** 2 * s["moving"] * 3 for s in segs)
        assert abs(temporal_segments.pooled_psnr(se, n) - result[clip]["psnrMoving"]) < 1e-9
    # where the session-12 record (docs/temporal-stability.md) says the stabiliser loses on moving pixels: the rain
    rain = segs[0]
    assert rain["segment"] == "rain" and rain["movingStabilized"] < rain["movingRestored"] - 0.3
    assert "moving" in temporal_segments.summary(result)


def test_older_outputs_have_no_moving_columns():
    with open(V14) as f:
        result = json.load(f)["result"]
    assert all("moving" not in s for s in temporal_segments.segments(result))


def test_the_flicker_splits_into_restarts_and_the_rest():
    # session 13's default: the parts sum to the clip's flicker ratio, and the cut to noise
    # (frame 64) alone is a fifth of it, as docs/temporal-stability.md says
    with open(S13) as f:
        result = json.load(f)["result"]
    parts = dict(temporal_segments.contributions(result))
    assert list(parts) == ["start 1-5", "cut 64", "after the cut 65-70", "the rest"]
    assert abs(sum(parts.values()) - result["stabilized"]["flicker"] / result["flickerClean"]) < 1e-9
    assert 0.35 < parts["cut 64"] < 0.45 and all(p > 0 for p in parts.values())
    assert "flicker as a sum: start 1-5" in temporal_segments.summary(result)
