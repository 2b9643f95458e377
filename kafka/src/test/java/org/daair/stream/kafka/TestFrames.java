package org.daair.stream.kafka;

import java.util.Random;
import org.daair.stream.common.Frame;

/** Deterministic test pictures. */
final class TestFrames {

    private TestFrames() {
    }

    /** Arbitrary floats in [0,1] (not multiples of 1/255): what a YUV to RGB conversion or a network produces. */
    static Frame random(String stream, long seq, int w, int h) {
        Random r = new Random(31L * seq + stream.hashCode());
        float[] rgb = new float[3 * w * h];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = r.nextFloat();
        }
        return new Frame(stream, seq, seq * 40_000L, w, h, rgb, "derain", null);
    }

    /** Multiples of 1/255, as decoded from an 8-bit source: exact through 8-bit payloads. */
    static Frame eightBit(String stream, long seq, int w, int h) {
        float[] rgb = new float[3 * w * h];
        int plane = w * h;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                rgb[i] = ((x + seq) & 255) / 255f;
                rgb[plane + i] = (y & 255) / 255f;
                rgb[2 * plane + i] = ((x * 7 + y * 3) & 255) / 255f;
            }
        }
        return new Frame(stream, seq, seq * 40_000L, w, h, rgb, null, null);
    }

    /** A smooth picture for lossy coding. */
    static Frame smooth(String stream, long seq, int w, int h) {
        float[] rgb = new float[3 * w * h];
        int plane = w * h;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                rgb[i] = 0.5f + 0.4f * (float) Math.sin(x / 9.0);
                rgb[plane + i] = 0.5f + 0.4f * (float) Math.cos(y / 7.0);
                rgb[2 * plane + i] = (float) (x + y) / (w + h);
            }
        }
        return new Frame(stream, seq, seq * 40_000L, w, h, rgb, "dehaze", "shot.png");
    }

    static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths " + a.length + " and " + b.length);
        }
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static double meanAbsDiff(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] - b[i]);
        }
        return s / a.length;
    }
}
