"""bar_path.py: issue 8's bars along the plain-training lineage, from the model card's own files."""
import math

import pytest

import bar_path


def test_fit_recovers_a_line():
    xs = [1.0, 2.0, 4.0, 5.5]
    a, b = bar_path.fit(xs, [3.0 + 0.25 * x for x in xs])
    assert a == pytest.approx(3.0) and b == pytest.approx(0.25)


def test_projection_lands_on_the_target():
    doublings, need = bar_path.project(1e9, 28.0, 0.5, 30.0)
    assert doublings == pytest.approx(4.0)
    assert need == pytest.approx(16e9)


def test_pixels_count_every_segment():
    assert bar_path.pixels(((10, 8, 64), (5, 16, 128))) == 10 * 8 * 64 * 64 + 5 * 16 * 128 * 128


def test_the_shipped_files_give_every_bar():
    result = bar_path.path()
    lineage = result["_lineage"]
    px = [v["pixels"] for v in lineage.values()]
    assert px == sorted(px) and len(px) == len(bar_path.LINEAGE)
    for bar in bar_path.BARS:
        r = result[bar.name]
        first = list(lineage).index(bar.fit_from)
        fitted = [v for v in list(r["points"].values())[first:] if v is not None]
        assert len(fitted) >= 3, bar.name
        if r["status"] == "extrapolated":
            # the line reaches the target after the projected doublings, from the last point
            assert fitted[-1] + r["db_per_doubling"] * r["doublings"] == pytest.approx(bar.target)
            assert r["cpu_hours"] > 0 and r["gpu_minutes"] > 0
            assert math.isclose(r["pixels_needed"], px[-1] * 2 ** r["doublings"], rel_tol=1e-9)
        elif r["status"] == "met":
            assert fitted[-1] >= bar.target
    # the McMaster row is read from the sigma-50 files, not from the sigma-25 validation
    mcm = result["McMaster sigma 50 >= 26.5 dB"]["points"]
    assert all(v < 26.0 for v in mcm.values())
    assert "| McMaster sigma 50" in bar_path.render(result)


def test_the_check_is_the_line_at_its_pixels_and_not_fitted():
    with_check = bar_path.path()
    without = bar_path.path(check=None)
    check = with_check["_check"]
    # its pixels lie past the lineage's and v14's
    assert check["pixels"] > with_check["_lineage"]["v10"]["pixels"] + bar_path.pixels(bar_path.SHIPPED.segments)
    for bar in bar_path.BARS:
        r, r0 = with_check[bar.name], without[bar.name]
        assert r.get("db_per_doubling") == r0.get("db_per_doubling"), "the check must not move the fit"
        if "check" in r:
            k = r["check"]
            last = r["points"]["v10"]
            assert k["line"] == pytest.approx(last + r["db_per_doubling"] * math.log2(check["pixels"] / with_check["_lineage"]["v10"]["pixels"]))
            assert k["measured"] is not None
    assert "line at v20" in bar_path.render(with_check)
    assert "_check" not in without
