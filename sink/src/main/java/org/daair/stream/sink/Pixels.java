package org.daair.stream.sink;

/** Pure-Java pixel helpers shared by the sinks (no native code, so image output never loads FFmpeg). */
final class Pixels {

    private Pixels() {
    }

    /** [0,1] float to 0..255 with rounding; out-of-range values are clamped and NaN becomes 0. */
    static byte quantize(float v) {
        if (!(v > 0f)) {
            return 0;
        }
        if (v >= 1f) {
            return (byte) 255;
        }
        return (byte) (int) (v * 255f + 0.5f);
    }
}
