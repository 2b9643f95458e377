"""The training-only camera simulation and the widened low light (daair/camera.py)."""
import numpy as np
import pytest

from daair import camera
from daair.data import TrainSampler
from daair.degradations import add_low_light


def _img(seed=0, h=32, w=48):
    rng = np.random.default_rng(seed)
    base = np.linspace(0.2, 0.8, w, dtype=np.float32)[None, :, None] * np.ones((h, 1, 3), np.float32)
    return np.clip(base + rng.normal(0, 0.1, (h, w, 3)).astype(np.float32), 0, 1)


def test_chroma_420_keeps_luma_and_makes_colour_blocky():
    img = _img()
    out = camera.chroma_420(img)
    y = lambda a: a @ np.array([0.299, 0.587, 0.114], np.float32)
    assert np.abs(y(out) - y(img)).mean() < 2 / 255          # luma survives (up to rounding and clipping)
    cb = out @ camera._RGB2YCC[1]
    blocks = cb.reshape(16, 2, 24, 2)
    assert np.abs(blocks - blocks.mean(axis=(1, 3), keepdims=True)).max() < 3 / 255  # one colour per 2x2 block
    assert np.abs(camera.chroma_420(out) - out).max() <= 2 / 255  # idempotent up to 8-bit rounding


@pytest.mark.parametrize("quality", [55, 95])
def test_jpeg_loses_more_at_lower_quality(quality):
    img = _img(1)
    err = np.abs(camera.jpeg(img, quality) - img).mean()
    assert 0 < err < 0.1
    if quality == 55:
        assert err > np.abs(camera.jpeg(img, 95) - img).mean()


def test_wide_photons_give_dark_images_with_little_noise():
    img = _img(2, 64, 64) * 0 + 0.5
    narrow = [add_low_light(img, np.random.default_rng(s))[0].std() for s in range(8)]
    wide = [add_low_light(img, np.random.default_rng(s), photons_range=(3000.0, 3000.0))[0].std() for s in range(8)]
    assert np.mean(wide) < 0.5 * np.mean(narrow)


def test_sampler_uses_the_synthesis_options_and_stays_reproducible(tmp_path):
    from PIL import Image
    for i in range(2):
        Image.fromarray((np.random.default_rng(i).random((70, 90, 3)) * 255).astype(np.uint8)).save(tmp_path / f"{i}.png")
    names = ["denoise", "derain", "dehaze", "deblur", "lowlight"]
    plain = TrainSampler(str(tmp_path), names, seed=0)
    cam = TrainSampler(str(tmp_path), names, seed=0, synthesis={"camera_p": 1.0, "lowlight_photons": [30, 3000]})
    d0, c0, _ = plain.batch(3, 5, 32)
    d1, c1, _ = cam.batch(3, 5, 32)
    d2, _, _ = cam.batch(3, 5, 32)
    assert np.array_equal(d1, d2), "a pure function of the step"
    assert c0.shape == c1.shape
    assert not np.array_equal(d0, d1), "the options change what the model sees"
    assert TrainSampler(str(tmp_path), names, seed=0, synthesis={}).batch(3, 5, 32)[0].tobytes() == d0.tobytes()


def _folder(tmp_path, size=(200, 260), flat=False):
    from PIL import Image
    for i in range(2):
        img = np.random.default_rng(i).random(size + (3,))
        if flat:
            img = img * 0 + 0.3
        Image.fromarray((img * 255).astype(np.uint8)).save(tmp_path / f"{i}.png")
    return str(tmp_path)


def test_degradation_weights_repeat_a_degradation_in_the_cycle(tmp_path):
    names = ["denoise", "derain", "dehaze", "deblur", "lowlight"]
    s = TrainSampler(_folder(tmp_path, (40, 40)), names, seed=0, synthesis={"degradation_weights": {"dehaze": 2}})
    labels = np.concatenate([s.batch(step, 6, 16)[2] for step in range(5)])
    counts = np.bincount(labels, minlength=5)
    assert counts[2] == 2 * counts[0] and counts[0] == counts[1] == counts[3] == counts[4]
    with pytest.raises(ValueError, match="fog"):
        TrainSampler(str(tmp_path), names, seed=0, synthesis={"degradation_weights": {"fog": 2}})


def test_haze_context_gives_crops_of_slowly_varying_haze(tmp_path):
    """Haze synthesised over 4x the crop and then cropped varies less across the crop than haze
    whose whole depth range is squeezed into it. On flat grey photos the haze layer
    (degraded - clean) = (airlight - grey)(1 - t) shows the transmission alone."""
    folder = _folder(tmp_path, flat=True)
    names = ["dehaze"]

    def spread(synthesis):
        s = TrainSampler(folder, names, seed=0, synthesis=synthesis)
        out = []
        for step in range(12):
            d, c, _ = s.batch(step, 1, 48)
            layer = (d - c)[0].mean(axis=0)
            out.append(np.abs(layer - layer.mean()).mean())
        return np.mean(out), d.shape

    plain, shape_plain = spread({})
    wide, shape_wide = spread({"haze_context": [4, 4]})
    assert shape_plain == shape_wide == (1, 3, 48, 48)
    assert wide < 0.7 * plain


def test_zero_weights_leave_degradations_out(tmp_path):
    names = ["denoise", "derain", "dehaze", "deblur", "lowlight"]
    folder = _folder(tmp_path, (40, 40))
    only_haze = {d: 0 for d in names if d != "dehaze"}
    s = TrainSampler(folder, names, seed=0, synthesis={"degradation_weights": only_haze})
    assert set(np.concatenate([s.batch(step, 4, 16)[2] for step in range(3)])) == {2}
    with pytest.raises(ValueError, match="every degradation"):
        TrainSampler(folder, names, seed=0, synthesis={"degradation_weights": {d: 0 for d in names}})


def test_haze_coarse_shows_whole_photos_shrunk_like_the_engines_copy(tmp_path):
    """Photos of vertical stripes 20 px wide, 300 x 600: shrunk to 160..256 px on the longer side
    the stripes are 5-9 px wide, against 10-20 px in the plain crops (scale 0.5..1), so a crop
    crosses about twice as many stripe edges. Reproducible per step, crop-sized, hazy."""
    from PIL import Image
    stripes = ((np.arange(600) // 20) % 2).astype(np.uint8)[None, :].repeat(300, 0) * 200 + 30
    for i in range(2):
        Image.fromarray(np.stack([stripes] * 3, axis=2)).save(tmp_path / f"{i}.png")
    names = ["dehaze"]

    def edges(synthesis):
        s = TrainSampler(str(tmp_path), names, seed=0, synthesis=synthesis)
        n = []
        for step in range(16):
            d, c, lab = s.batch(step, 1, 48)
            assert d.shape == c.shape == (1, 3, 48, 48) and lab[0] == 0
            assert np.abs(d - c).mean() > 0.01                     # hazed
            # stripes run along one axis (the augmentation may transpose): count along the other
            img = c[0, 0]
            line = img[img.shape[0] // 2] if np.abs(np.diff(img, axis=1)).sum() > np.abs(np.diff(img, axis=0)).sum() \
                else img[:, img.shape[1] // 2]
            n.append(np.count_nonzero(np.diff(line > line.mean())))
        again = TrainSampler(str(tmp_path), names, seed=0, synthesis=synthesis).batch(5, 1, 48)[0]
        assert np.array_equal(again, s.batch(5, 1, 48)[0])
        return np.mean(n)

    plain = edges({})
    assert edges({"haze_coarse": [160, 256]}) > 1.6 * plain
    assert edges({"haze_coarse": [160, 256], "haze_coarse_p": 0.0}) < 1.2 * plain   # the share: none


def test_sensor_noise_adds_light_noise_to_the_degraded_sample(tmp_path):
    folder = _folder(tmp_path, (64, 64), flat=True)
    names = ["dehaze"]
    plain = TrainSampler(folder, names, seed=0).batch(2, 4, 32)
    noisy = TrainSampler(folder, names, seed=0, synthesis={"sensor_noise": [6, 6]}).batch(2, 4, 32)
    assert np.array_equal(plain[1], noisy[1]), "the clean target stays"
    # flat photos: the plain hazy sample is smooth, the noise is what changes pixel to pixel
    jitter = lambda d: np.abs(np.diff(d, axis=3)).mean()
    assert jitter(plain[0]) < 1 / 255 and 5 / 255 < jitter(noisy[0]) < 9 / 255   # mean abs of a 6-sigma pair difference: 6.8


def test_dim_scene_darkens_the_scene_and_its_target_only_for_the_degradations_named(tmp_path):
    folder = _folder(tmp_path, (64, 64), flat=False)
    names = ["denoise", "dehaze"]
    plain = TrainSampler(folder, names, seed=0).batch(3, 4, 32)
    dim = {"dim_scene": {"p": 1.0, "factor": [0.5, 0.5], "degradations": ["denoise"]}}
    dimmed = TrainSampler(folder, names, seed=0, synthesis=dim).batch(3, 4, 32)
    assert list(dimmed[2]) == [0, 1, 0, 1]
    # the first sample (denoise) draws its crop before the dimming: the same crop, half as bright
    assert np.array_equal(dimmed[1][0], np.round(plain[1][0] * 0.5 * 255) / 255)
    for i in (0, 2):   # the targets of both denoise samples, and the noisy inputs over them
        assert abs(dimmed[1][i].mean() - 0.25) < 0.02 and abs(plain[1][i].mean() - 0.5) < 0.02
        assert dimmed[0][i].mean() < 0.75 * plain[0][i].mean()
    assert abs(dimmed[1][1].mean() - 0.5) < 0.02, "dehaze is not named: not dimmed"
    # a degradation not named draws nothing more: its batches stay bit-identical
    untouched = TrainSampler(folder, ["dehaze"], seed=0, synthesis=dim).batch(3, 4, 32)
    assert np.array_equal(untouched[0], TrainSampler(folder, ["dehaze"], seed=0).batch(3, 4, 32)[0])


def test_dim_scene_contrast_flattens_the_scene_about_its_mean(tmp_path):
    folder = _folder(tmp_path, (64, 64), flat=False)
    plain = TrainSampler(folder, ["denoise"], seed=0).batch(1, 2, 32)[1]
    flat = {"dim_scene": {"p": 1.0, "factor": [1.0, 1.0], "contrast": [0.25, 0.25], "degradations": ["denoise"]}}
    flatter = TrainSampler(folder, ["denoise"], seed=0, synthesis=flat).batch(1, 2, 32)[1]
    assert abs(flatter[0].mean() - plain[0].mean()) < 0.01            # the same exposure
    assert abs(flatter[0].std() / plain[0].std() - 0.25) < 0.02       # a quarter of the contrast


def test_dim_scene_also_dims_the_whole_photos_hazed_at_the_copys_scale(tmp_path):
    """Session 14: dehaze's coarse-scale samples (``haze_coarse``) take ``dim_scene`` too, so the
    dehaze expert meets dim, flat scenes under haze; the target is the dimmed scene."""
    folder = _folder(tmp_path, (300, 300), flat=False)
    coarse = {"haze_coarse": [160, 256]}
    plain = TrainSampler(folder, ["dehaze"], seed=0, synthesis=coarse).batch(2, 4, 32)
    dim = dict(coarse, dim_scene={"p": 1.0, "factor": [0.5, 0.5], "degradations": ["dehaze"]})
    dimmed = TrainSampler(folder, ["dehaze"], seed=0, synthesis=dim).batch(2, 4, 32)
    for i in range(4):
        assert abs(dimmed[1][i].mean() / plain[1][i].mean() - 0.5) < 0.05
        assert np.abs(dimmed[0][i] - dimmed[1][i]).mean() > 0.01           # still hazed
    # not named: the coarse samples stay bit-identical
    other = dict(coarse, dim_scene={"p": 1.0, "factor": [0.5, 0.5], "degradations": ["denoise"]})
    assert np.array_equal(TrainSampler(folder, ["dehaze"], seed=0, synthesis=other).batch(2, 4, 32)[0], plain[0])


def test_haze_free_p_leaves_that_share_of_hazy_samples_without_haze(tmp_path):
    """Session 14: haze-free samples teach the dehaze expert to leave a haze-free frame as it is."""
    folder = _folder(tmp_path, (300, 300), flat=False)
    for extra in ({}, {"haze_coarse": [160, 256]}):
        free = TrainSampler(folder, ["dehaze"], seed=0, synthesis=dict(extra, haze_free_p=1.0)).batch(1, 4, 32)
        assert np.array_equal(free[0], free[1]), "input = target"
        hazy = TrainSampler(folder, ["dehaze"], seed=0, synthesis=dict(extra, haze_free_p=0.0)).batch(1, 4, 32)
        assert np.abs(hazy[0] - hazy[1]).mean() > 0.01
        assert np.array_equal(hazy[0], TrainSampler(folder, ["dehaze"], seed=0, synthesis=extra).batch(1, 4, 32)[0])
    some = TrainSampler(folder, ["dehaze"], seed=0, synthesis={"haze_free_p": 0.5}).batch(0, 32, 32)
    n = sum(np.array_equal(d, c) for d, c in zip(some[0], some[1]))
    assert 8 <= n <= 24


def test_h264_round_trip_keeps_the_picture_and_smooths_noise():
    from daair.camera import h264
    from daair.degradations import add_sensor_noise
    img = np.full((64, 96, 3), 0.3, np.float32)
    img[16:48, 32:64] = 0.85
    back = h264(img, 14)
    assert back.shape == img.shape and np.abs(back - img).mean() < 1.5 / 255   # colour and range as decoded by the engine
    noisy = add_sensor_noise(img, np.random.default_rng(0), 20)
    coded = h264(noisy, 24)
    assert np.array_equal(coded, h264(noisy, 24)), "deterministic"
    flat = (slice(0, 12), slice(0, 24))
    assert coded[flat].std() < 0.8 * noisy[flat].std() and abs(coded.mean() - noisy.mean()) < 2 / 255


def test_h264_p_sends_that_share_of_camera_samples_through_h264(tmp_path):
    folder = _folder(tmp_path, (64, 64), flat=True)
    plain = TrainSampler(folder, ["denoise"], seed=0, synthesis={"camera_p": 1.0}).batch(0, 2, 32)
    same = TrainSampler(folder, ["denoise"], seed=0, synthesis={"camera_p": 1.0, "h264_p": 0.0}).batch(0, 2, 32)
    assert np.array_equal(plain[0], same[0]), "h264_p 0 draws nothing more"
    coded = TrainSampler(folder, ["denoise"], seed=0, synthesis={"camera_p": 1.0, "h264_p": 1.0}).batch(0, 2, 32)
    assert np.array_equal(plain[1], coded[1]) and not np.array_equal(plain[0], coded[0])
