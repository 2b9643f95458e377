package org.daair.stream.engine;

import org.daair.stream.common.Frame;

/**
 * Rejects restored frames no restorer should produce: any NaN or infinite value, or a flat black
 * or white picture made from an input that was not flat. Such output comes from a broken graph,
 * a numerics fault on an accelerator, or a corrupted batch; showing the input instead keeps the
 * stream watchable.
 */
public final class OutputGuard {

    /** Peak-to-peak range below which a picture counts as flat (2 levels in 8 bits). */
    static final float FLAT = 2f / 255f;
    /** An input needs at least this range for its flat output to be an error (a black input may give a black output). */
    static final float TEXTURED = 8f / 255f;

    private OutputGuard() {
    }

    /** Why {@code output} is not an acceptable restoration of {@code input}, or null when it is. */
    public static String problem(Frame input, Frame output) {
        float[] v = output.rgb();
        if (v.length != input.rgb().length) {
            return "output has " + v.length + " values, input " + input.rgb().length;
        }
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            if (!Float.isFinite(x)) {
                return "output contains NaN or infinite values";
            }
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        if (max - min < FLAT && range(input.rgb()) >= TEXTURED) {
            return max < 0.5f ? "output is flat black" : "output is flat white";
        }
        return null;
    }

    private static float range(float[] v) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return max - min;
    }
}
