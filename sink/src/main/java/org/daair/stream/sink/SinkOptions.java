package org.daair.stream.sink;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encoding choices for the video sinks. Immutable; start from {@link #defaults()} and use the
 * {@code with*} methods.
 *
 * @param encoder      preferred FFmpeg encoder name (e.g. "libx264", "h264_nvenc", "ffv1"), or null
 *                     for the container's default chain; when it is missing or fails to open the
 *                     sink falls back to the defaults (see {@link Encoders})
 * @param bitrate      target video bitrate in bits/s, or 0 for the codec's quality mode (or an
 *                     automatic bitrate for encoders that only do bitrate control, like libopenh264)
 * @param quality      codec quality knob, lower is better, -1 for the default: CRF for libx264 and
 *                     libvpx-vp9 (default 18 / 31), CQ for NVENC (19), qscale for mpeg4 (2)
 * @param preset       encoder speed preset (libx264, NVENC), or null for the sink default; encoders
 *                     that reject presets (libopenh264) never receive it
 * @param lossless     encode with FFV1 (needs a .mkv, .avi or .nut output)
 * @param copyAudio    copy the source file's audio and subtitle streams without re-encoding
 * @param frameRate    frame rate used when the input has none (image sequences)
 * @param videoOptions extra encoder options passed to FFmpeg as they are (AVOptions)
 */
public record SinkOptions(String encoder, long bitrate, int quality, String preset, boolean lossless,
                          boolean copyAudio, double frameRate, Map<String, String> videoOptions) {

    public SinkOptions {
        if (bitrate < 0) {
            throw new IllegalArgumentException("bitrate must be >= 0, got " + bitrate);
        }
        if (!(frameRate > 0)) {
            throw new IllegalArgumentException("frameRate must be > 0, got " + frameRate);
        }
        videoOptions = videoOptions == null ? Map.of() : Map.copyOf(videoOptions);
    }

    /** Automatic encoder, quality mode, audio copied, 25 fps for image sequences. */
    public static SinkOptions defaults() {
        return new SinkOptions(null, 0, -1, null, false, true, 25, Map.of());
    }

    public SinkOptions withEncoder(String name) {
        return new SinkOptions(name, bitrate, quality, preset, lossless, copyAudio, frameRate, videoOptions);
    }

    public SinkOptions withBitrate(long bitsPerSecond) {
        return new SinkOptions(encoder, bitsPerSecond, quality, preset, lossless, copyAudio, frameRate, videoOptions);
    }

    public SinkOptions withQuality(int q) {
        return new SinkOptions(encoder, bitrate, q, preset, lossless, copyAudio, frameRate, videoOptions);
    }

    public SinkOptions withPreset(String p) {
        return new SinkOptions(encoder, bitrate, quality, p, lossless, copyAudio, frameRate, videoOptions);
    }

    public SinkOptions withLossless(boolean on) {
        return new SinkOptions(encoder, bitrate, quality, preset, on, copyAudio, frameRate, videoOptions);
    }

    public SinkOptions withCopyAudio(boolean on) {
        return new SinkOptions(encoder, bitrate, quality, preset, lossless, on, frameRate, videoOptions);
    }

    public SinkOptions withFrameRate(double fps) {
        return new SinkOptions(encoder, bitrate, quality, preset, lossless, copyAudio, fps, videoOptions);
    }

    public SinkOptions withVideoOption(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(videoOptions);
        m.put(key, value);
        return new SinkOptions(encoder, bitrate, quality, preset, lossless, copyAudio, frameRate, m);
    }
}
