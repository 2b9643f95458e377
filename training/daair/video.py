"""Video frames as the engine sees them: decoded by the ffmpeg command line with the engine's
YUV -> RGB conversion, so that Python studies and `./daair eval` score the same pixels.

Why not plain `ffmpeg -pix_fmt rgb24`: for 4:2:0 sources the command line's default conversion
takes swscale's fast path, which truncates instead of rounding. On the temporal clip's degraded
video (`samples/temporal/`) it comes out about one 8-bit step darker than the RGB frames the clip
was encoded from (-0.9, -1.2, -0.7 per channel), while the engine's conversion
(`ingest/.../YuvToRgb.java`: bicubic, full chroma interpolation, accurate rounding, the stream's
matrix and range) is within 0.1 step of them. One step is enough to change what v10's dehaze
route does with a hazy frame (README, Benchmark), so the studies read frames the engine's way.
"""
from __future__ import annotations

import subprocess

import numpy as np

# The engine's swscale flags (YuvToRgb.java: SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT).
ENGINE_FLAGS = "bicubic+full_chroma_int+accurate_rnd"


def probe(path: str) -> tuple:
    """(width, height, frame count) of the first video stream (frame count 0 when not stored)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "stream=width,height,nb_frames", "-of", "csv=p=0", path],
                         check=True, capture_output=True, text=True).stdout.strip().split(",")
    n = out[2] if len(out) > 2 and out[2].isdigit() else "0"
    return int(out[0]), int(out[1]), int(n)


def read_rgb(path: str, select: str | None = None, size: tuple | None = None,
             count: int | None = None) -> np.ndarray:
    """Frames of PATH as N x H x W x 3 float32 RGB in [0, 1], converted as the engine converts.

    select: an ffmpeg select expression (frames kept, e.g. "gte(n\\,40)"); size: (width, height)
    to scale to (bicubic, as the conversion); count: at most this many frames."""
    w, h, _ = probe(path)
    if size is not None:
        w, h = size
    return decode(["-i", path], w, h, select=select, count=count)


def decode(input_args: list, w: int, h: int, select: str | None = None, count: int | None = None,
           data: bytes | None = None, scale_opts: str = "") -> np.ndarray:
    """Frames from ffmpeg's INPUT_ARGS (e.g. ["-i", path], or ["-f", "h264", "-i", "-"] with DATA on
    stdin), scaled to W x H and converted to RGB the engine's way: N x H x W x 3 float32 in [0, 1].
    SCALE_OPTS: extra options of the conversion (e.g. the matrix of a stream without colour tags)."""
    chain = ([f"select={select}"] if select else []) + [f"scale={w}:{h}:flags={ENGINE_FLAGS}{scale_opts}", "format=rgb24"]
    cmd = ["ffmpeg", "-v", "error", *input_args, "-vf", ",".join(chain)]
    if select:
        cmd += ["-vsync", "0"]
    if count is not None:
        cmd += ["-frames:v", str(count)]
    raw = subprocess.run(cmd + ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"], input=data, check=True,
                         capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3).astype(np.float32) / 255
