"""evaluate.py's validation under sensor noise: seeded per image, the sigma asked for, 8-bit levels."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from daair.data import ValItem  # noqa: E402
from evaluate import with_sensor_noise  # noqa: E402


def item(name):
    rng = np.random.default_rng(0)
    img = (np.round(rng.uniform(0.2, 0.8, (64, 64, 3)) * 255) / 255).astype(np.float32)
    return ValItem("Kodak24", "dehaze", name, img, img.copy())


def test_sensor_noise_is_seeded_per_image_and_has_the_sigma_asked():
    a, b, c = with_sensor_noise(item("x.png"), 2), with_sensor_noise(item("x.png"), 2), with_sensor_noise(item("y.png"), 2)
    np.testing.assert_array_equal(a.degraded, b.degraded)
    assert not np.array_equal(a.degraded, c.degraded)
    diff = (a.degraded - item("x.png").degraded) * 255
    assert abs(diff.std() - 2.0) < 0.2, diff.std()          # sigma 2 steps, rounded to levels
    np.testing.assert_allclose(diff, np.round(diff), atol=1e-3)
    np.testing.assert_array_equal(a.clean, item("x.png").clean)   # the reference stays clean


def test_the_denoise_rows_take_the_sigma_asked_and_the_others_do_not_change():
    import pytest
    from daair.data import full_val_set
    val = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "val")
    if not os.path.isdir(os.path.join(val, "McMaster")):
        pytest.skip("no validation photos here")
    at = {s: [it for it in full_val_set(val, ("denoise", "deblur"), sets=("McMaster",), denoise_sigma=s)][:4]
          for s in (25.0, 50.0)}
    for a, b in zip(at[25.0], at[50.0]):
        np.testing.assert_array_equal(a.clean, b.clean)
        if a.degradation == "denoise":
            # noise added to [0, 1] and clipped: a little under the sigma asked
            sa, sb = ((a.degraded - a.clean) * 255).std(), ((b.degraded - b.clean) * 255).std()
            assert 20 < sa <= 25.5 and 38 < sb <= 50.5 and sb > 1.7 * sa, (sa, sb)
        else:
            np.testing.assert_array_equal(a.degraded, b.degraded)
