"""make_temporal_clip.read_frames: the frames from START on, one after the other (real ffmpeg)."""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import make_temporal_clip as mtc  # noqa: E402


def test_read_frames_starts_at_start_without_copies(tmp_path):
    # 30 frames at the clip's own size and rate, each different (testsrc draws a moving pattern
    # and the frame's time); lossless, so decoding all of them and slicing is the ground truth
    path = str(tmp_path / "src.mkv")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc=size={mtc.W}x{mtc.H}:rate={mtc.FPS}", "-frames:v", "30",
                    "-c:v", "ffv1", "-pix_fmt", "bgr0", path], check=True)
    every = mtc.read_frames(path, start=0, n=30)
    assert every.shape == (30, mtc.H, mtc.W, 3)
    assert all(np.abs(every[i + 1] - every[i]).mean() > 0 for i in range(29))   # no two alike
    part = mtc.read_frames(path, start=10, n=8)
    # before session 11 this was frame 10 repeated: the time before it filled with copies
    np.testing.assert_array_equal(part, every[10:18])
