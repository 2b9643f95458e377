"""daair/video.py: frames decoded with the engine's YUV -> RGB conversion (real ffmpeg, real H.264)."""
import os
import subprocess
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from daair import video  # noqa: E402

W, H, N = 96, 64, 4


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """N smooth random RGB frames, encoded as a camera would send them (4:2:0 H.264, BT.601 tv range)."""
    rng = np.random.default_rng(0)
    base = rng.uniform(0.2, 0.8, (H // 8, W // 8, 3))
    frames = []
    for i in range(N):
        f = np.kron(np.roll(base, i, axis=1), np.ones((8, 8, 1)))          # blocks that move right
        f = (f + 0.1 * np.sin(np.arange(W) / 5.0)[None, :, None]).clip(0, 1)
        frames.append((f * 255 + 0.5).astype(np.uint8))
    frames = np.stack(frames)
    path = str(tmp_path_factory.mktemp("video") / "clip.mp4")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{W}x{H}", "-r", "10",
                    "-i", "-", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", "-colorspace", "bt470bg",
                    "-color_range", "tv", path], input=frames.tobytes(), check=True)
    return path, frames.astype(np.float32) / 255


def test_probe_and_shape(clip):
    path, frames = clip
    assert video.probe(path) == (W, H, N)
    got = video.read_rgb(path)
    assert got.shape == frames.shape and got.dtype == np.float32


def test_conversion_is_unbiased(clip):
    """The engine's conversion rounds: colours come back within a small fraction of an 8-bit step on
    average (the command line's default 4:2:0 path is about one step dark)."""
    path, frames = clip
    got = video.read_rgb(path)
    offset = (got - frames).reshape(-1, 3).mean(0) * 255
    assert np.all(np.abs(offset) < 0.3), offset


def test_select_size_count(clip):
    path, _ = clip
    every = video.read_rgb(path)
    later = video.read_rgb(path, select="gte(n\\,2)", count=1)
    assert later.shape == (1, H, W, 3)
    np.testing.assert_array_equal(later[0], every[2])
    half = video.read_rgb(path, size=(W // 2, H // 2))
    assert half.shape == (N, H // 2, W // 2, 3)


def test_brightness_trace_gives_each_frames_mean_side_by_side(clip, tmp_path):
    import brightness_trace
    path, frames = clip
    darker = str(tmp_path / "darker.mp4")
    half = (frames * 0.5 * 255 + 0.5).astype(np.uint8)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{W}x{H}", "-r", "10",
                    "-i", "-", "-frames:v", "3", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", "-colorspace", "bt470bg",
                    "-color_range", "tv", darker], input=half.tobytes(), check=True)
    rows = brightness_trace.trace([path, darker])
    assert len(rows) == 3                      # the shorter video's frames
    for t, (a, b) in enumerate(rows):
        assert abs(a - frames[t].mean()) < 0.01, (t, a)
        assert abs(b - a / 2) < 0.01, (t, a, b)
