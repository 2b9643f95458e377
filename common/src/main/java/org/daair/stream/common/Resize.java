package org.daair.stream.common;

/** Bilinear resize of planar RGB (the benchmark makes frames of a given size; a live source that comes back at another size is scaled to the first). */
public final class Resize {
    private Resize() {
    }

    public static float[] bilinear(float[] src, int sw, int sh, int dw, int dh) {
        float[] dst = new float[3 * dw * dh];
        for (int y = 0; y < dh; y++) {
            float fy = Math.max(0, (y + 0.5f) * sh / dh - 0.5f);
            int y0 = Math.min((int) fy, sh - 1);
            int y1 = Math.min(y0 + 1, sh - 1);
            float ay = fy - y0;
            for (int x = 0; x < dw; x++) {
                float fx = Math.max(0, (x + 0.5f) * sw / dw - 0.5f);
                int x0 = Math.min((int) fx, sw - 1);
                int x1 = Math.min(x0 + 1, sw - 1);
                float ax = fx - x0;
                for (int c = 0; c < 3; c++) {
                    int b = c * sw * sh;
                    float top = src[b + y0 * sw + x0] * (1 - ax) + src[b + y0 * sw + x1] * ax;
                    float bot = src[b + y1 * sw + x0] * (1 - ax) + src[b + y1 * sw + x1] * ax;
                    dst[c * dw * dh + y * dw + x] = top * (1 - ay) + bot * ay;
                }
            }
        }
        return dst;
    }
}
