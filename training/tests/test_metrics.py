"""Blind restoration as the engine does it (daair/metrics.py): the classifier looks at the engine's
native-resolution crops (`Classifier.java`), and the frame goes through the graph of the route it
picks, coarse-to-fine for dehaze."""
import numpy as np
import torch

from daair import coarse
from daair.metrics import classifier_crops, classify_array, restore_blind

DEGS = ["denoise", "derain", "dehaze", "deblur", "lowlight"]


def _marked(h, w):
    """An image whose pixel (y, x) holds y, x and 0 in its channels, so a crop tells where it is from."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return np.stack([yy, xx, np.zeros_like(yy)], -1)


def test_large_frames_give_four_native_crops_centred_on_the_quarter_points():
    img = _marked(640, 1024)
    crops = classifier_crops(img)
    assert crops.shape == (4, 128, 128, 3)
    # top-left corners as in Classifier.java: (w/4 - 64, h/4 - 64), (3w/4 - 64, h/4 - 64), ...
    corners = [(int(c[0, 0, 1]), int(c[0, 0, 0])) for c in crops]
    assert corners == [(192, 96), (704, 96), (192, 416), (704, 416)]
    # native resolution: neighbouring pixels of a crop are neighbouring pixels of the frame
    assert np.all(np.diff(crops[0][..., 1], axis=1) == 1) and np.all(np.diff(crops[0][..., 0], axis=0) == 1)


def test_small_frames_give_one_centred_crop_and_tiny_ones_the_whole_frame():
    crops = classifier_crops(_marked(216, 250))
    assert crops.shape == (1, 128, 128, 3)
    assert (int(crops[0, 0, 0, 1]), int(crops[0, 0, 0, 0])) == (61, 44)
    tiny = _marked(90, 100)
    np.testing.assert_array_equal(classifier_crops(tiny)[0], tiny)


class _BrightnessClassifier(torch.nn.Module):
    """Votes for dehaze on bright crops and for denoise on dark ones."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))

    def forward(self, x):
        bright = (x.mean(dim=(1, 2, 3)) > 0.5).float()
        p = torch.zeros(x.shape[0], len(DEGS))
        p[:, DEGS.index("dehaze")] = bright
        p[:, DEGS.index("denoise")] = 1 - bright
        return p


class _RecordingModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))
        self.calls = []

    def forward(self, x, route=None):
        self.calls.append((route, tuple(x.shape[2:])))
        return x


def test_the_frame_goes_through_the_graph_of_the_route_the_crops_vote_for():
    clf, model = _BrightnessClassifier(), _RecordingModel()
    dark = np.full((300, 400, 3), 0.2, np.float32)
    # only the crops matter: a bright frame border outside them does not move the vote
    dark[:20] = 1.0
    assert classify_array(clf, dark) == DEGS.index("denoise")
    restore_blind(model, clf, dark, DEGS, coarse_side=256)
    assert model.calls == [(DEGS.index("denoise"), (300, 400))], "the fixed denoise route, at full size"


def test_a_frame_the_crops_call_hazy_is_dehazed_coarse_to_fine():
    clf, model = _BrightnessClassifier(), _RecordingModel()
    bright = np.full((600, 1100, 3), 0.8, np.float32)
    out = restore_blind(model, clf, bright, DEGS, coarse_side=256)
    f = coarse.factor(600, 1100, 256)
    assert model.calls == [(DEGS.index("dehaze"), (-(-600 // f), -(-1100 // f)))], "the copy only: no guard by default"
    assert out.shape == bright.shape


def test_auto_graph_mode_lets_the_model_route_itself_at_full_size(monkeypatch):
    from daair import metrics
    from daair.data import ValItem
    model = _RecordingModel()
    monkeypatch.setattr("daair.model.DegradationClassifier", lambda m: _BrightnessClassifier())
    img = np.full((600, 1100, 3), 0.8, np.float32)
    items = [ValItem("S", "dehaze", "a.png", img, img * 0.9)]
    metrics.evaluate(model, items, DEGS, with_ssim=False, auto_graph=True)
    assert model.calls == [(None, (600, 1100))], "the auto graph, at full size, not the coarse dehaze route"
    model.calls.clear()
    metrics.evaluate(model, items, DEGS, with_ssim=False)
    assert model.calls[0][0] == DEGS.index("dehaze") and model.calls[0][1] != (600, 1100)
