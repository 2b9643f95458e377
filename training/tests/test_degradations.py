"""Degradations: deterministic per seed, in range, labelled, and actually degrading."""
import numpy as np
import pytest

from daair.degradations import DEGRADE, LABELS, degrade, rain_layer, trajectory_kernel
from daair.data import TrainSampler, augment

NAMES = sorted(DEGRADE)


def _image(h=64, w=80):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([xx / w, yy / h, 0.5 + 0.4 * np.sin(xx / 5) * np.cos(yy / 7)], axis=2)
    return np.clip(img, 0, 1).astype(np.float32)


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_in_range_and_labelled(name):
    img = _image()
    a, la = degrade(img, name, np.random.default_rng(42))
    b, lb = degrade(img, name, np.random.default_rng(42))
    c, _ = degrade(img, name, np.random.default_rng(43))
    assert la == lb == LABELS[name]
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.shape == img.shape and a.dtype == np.float32
    assert a.min() >= 0.0 and a.max() <= 1.0
    assert np.allclose(a * 255, np.round(a * 255), atol=1e-3)  # 8-bit grid
    assert np.abs(a - img).mean() > 0.005                       # it does degrade


def test_noise_sigma_range_and_fixed_sigma():
    img = np.full((128, 128, 3), 0.5, np.float32)
    d, _ = DEGRADE["denoise"](img, np.random.default_rng(0), sigma=25.0)
    assert abs((d - img).std() * 255 - 25.0) < 1.0


def test_rain_is_achromatic_additive_and_streaky():
    layer = rain_layer(128, 128, np.random.default_rng(0))
    assert layer.min() >= 0 and layer.max() <= 1
    assert 0.005 < (layer > 0.05).mean() < 0.5
    # streaks are elongated: 4 px apart, vertical autocorrelation far exceeds horizontal (a streak
    # is 1-3 px wide and 20-80 px long)
    g = layer - layer.mean()
    v = np.mean(g[4:, :] * g[:-4, :])
    h = np.mean(g[:, 4:] * g[:, :-4])
    assert v > 3 * h


def test_haze_brightens_and_lowers_contrast():
    img = _image()
    d, _ = DEGRADE["dehaze"](img, np.random.default_rng(1))
    assert d.mean() > img.mean() and d.std() < img.std()


def test_blur_kernel_is_normalised():
    k = trajectory_kernel(np.random.default_rng(3))
    assert abs(k.sum() - 1) < 1e-5 and k.min() >= 0


def test_low_light_is_dark():
    img = _image()
    d, _ = DEGRADE["lowlight"](img, np.random.default_rng(2))
    assert d.mean() < 0.6 * img.mean()


def test_augment_modes_are_distinct():
    img = _image(8, 8)
    outs = {augment(img, m).tobytes() for m in range(8)}
    assert len(outs) == 8


def test_train_batches_are_balanced_and_reproducible(tmp_path):
    from PIL import Image
    for i in range(3):
        Image.fromarray((np.random.default_rng(i).random((70, 90, 3)) * 255).astype(np.uint8)).save(tmp_path / f"{i}.png")
    s = TrainSampler(str(tmp_path), list(NAMES), seed=0)
    d1, c1, l1 = s.batch(7, 10, 32)
    d2, c2, l2 = s.batch(7, 10, 32)
    assert np.array_equal(d1, d2) and np.array_equal(l1, l2)
    assert d1.shape == (10, 3, 32, 32)
    assert np.bincount(l1, minlength=5).tolist() == [2, 2, 2, 2, 2]
