"""Coarse-to-fine dehazing (daair/coarse.py): the factor rule, the box mean against a direct sum,
and the affine transfer on haze whose answer is known."""
import numpy as np
import pytest

from daair import coarse


@pytest.mark.parametrize("h,w,side,f", [(768, 1024, 256, 4), (1080, 1920, 256, 8), (216, 384, 256, 2),
                                        (511, 500, 256, 2), (200, 256, 256, 1), (100, 257, 256, 2),
                                        (150, 200, 80, 3), (150, 200, 64, 4)])
def test_factor(h, w, side, f):
    assert coarse.factor(h, w, side) == f


def test_box_is_the_window_mean_with_repeated_edges():
    rng = np.random.default_rng(0)
    x = rng.random((9, 13, 3))
    r = 2
    padded = np.pad(x, ((r, r), (r, r), (0, 0)), mode="edge")
    direct = np.stack([[padded[y:y + 2 * r + 1, xx:xx + 2 * r + 1].mean(axis=(0, 1)) for xx in range(13)] for y in range(9)])
    np.testing.assert_allclose(coarse.box(x, r), direct, atol=1e-12)


def test_downscale_averages_cells_and_repeats_the_edge():
    img = np.arange(5 * 4 * 1, dtype=np.float32).reshape(5, 4, 1)
    small = coarse.downscale(img, 2)
    assert small.shape == (3, 2, 1)
    assert small[0, 0, 0] == pytest.approx(img[:2, :2].mean())
    assert small[2, 1, 0] == pytest.approx(img[4, 2:4].mean()), "the last row repeats into the partial cell"


def _hazy_scene(h=200, w=301, seed=1):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    clean = np.stack([0.45 + 0.25 * np.sin(xx * 0.21 + c) * np.cos(yy * 0.17) for c in range(3)], -1)
    clean = (clean + 0.05 * rng.standard_normal(clean.shape)).astype(np.float32)
    t = (0.8 - 0.6 * xx / (w - 1))[..., None]
    return clean, (clean * t + 0.9 * (1 - t)).astype(np.float32)


def _psnr(a, b):
    return 10 * np.log10(1 / np.mean((a.astype(np.float64) - b) ** 2))


def test_given_the_coarse_haze_free_frame_the_transfer_recovers_the_full_one():
    clean, hazy = _hazy_scene()
    f = coarse.factor(*hazy.shape[:2], 110)
    assert f == 3
    out = coarse.transfer(coarse.downscale(hazy, f), coarse.downscale(clean, f), hazy, f)
    before, after = _psnr(hazy, clean), _psnr(np.clip(out, 0, 1), np.clip(clean, 0, 1))
    assert after > 35 and after > before + 15, (before, after)


def test_restore_runs_the_network_on_the_coarse_frame_only_when_the_frame_is_large():
    clean, hazy = _hazy_scene()
    seen = []

    def run(img):
        seen.append(img.shape)
        return img
    out = coarse.restore(run, hazy, side=110)
    assert seen == [(67, 101, 3)], "301 px, side 110: factor 3 (and no guard by default)"
    # the identity network: the transfer gives the input back (up to the slope's regulariser)
    assert np.abs(out - np.clip(hazy, 0, 1)).max() < 0.02
    seen.clear()
    coarse.restore(run, hazy, side=301)
    assert seen == [hazy.shape], "no longer than the side: factor 1, the frame itself"


def test_the_guard_pulls_a_copy_that_darkens_the_frame_toward_the_native_run():
    clean, hazy = _hazy_scene()
    native_side = []

    def darkens_small(img):   # a network that darkens the coarse copy only (the flat-footage failure)
        native_side.append(img.shape)
        return img * 0.5 if img.shape[1] < 110 else img

    out = coarse.restore(darkens_small, hazy, side=110, guard=True)
    assert native_side == [(67, 101, 3), (110, 110, 3)], "the copy, then the central square at native resolution"
    unguarded = coarse.restore(darkens_small, hazy, side=110, guard=False)
    assert coarse.luma_mean(unguarded) < 0.6 * coarse.luma_mean(hazy)
    # the native run is the identity: the calibrated copy gives the input back, darkening undone
    assert np.abs(out - np.clip(hazy, 0, 1)).mean() < 0.01
    # where the copy agrees with the native run, the guard leaves it exactly as it is
    same = coarse.restore(lambda img: img, hazy, side=110, guard=True)
    np.testing.assert_array_equal(same, coarse.restore(lambda img: img, hazy, side=110, guard=False))


@pytest.mark.parametrize("gap,weight", [(0.05, 0.0), (-0.08, 0.0), (-0.12, 0.5), (-0.16, 1.0), (-0.4, 1.0)])
def test_guard_weight_ramps_between_start_and_full(gap, weight):
    assert coarse.guard_weight(gap) == pytest.approx(weight)


@pytest.mark.parametrize("gap,weight", [(-0.02, 0.0), (-0.03, 0.0), (-0.045, 0.5), (-0.06, 1.0), (-0.2, 1.0)])
def test_a_smaller_guard_gap_starts_and_ends_the_ramp_sooner(gap, weight):
    # engine.coarse_guard_gap: 0.03 (session 16 tried it on the temporal clip), as CoarseDehaze.guardWeight
    assert coarse.guard_weight(gap, 0.03) == pytest.approx(weight)
