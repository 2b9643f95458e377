package org.daair.stream.cli.eval;

/**
 * The classical single-image dehazing baseline: the dark channel prior of He, Sun and Tang
 * ("Single Image Haze Removal Using Dark Channel Prior", CVPR 2009), with the guided filter (He et
 * al., ECCV 2010) in place of the paper's slow soft matting to refine the transmission. FFmpeg has
 * no dehazing filter, so the benchmark compares DaAIR's dehaze route against this.
 *
 * <p>Steps, on a planar RGB image in [0, 1]: the dark channel (per pixel the smallest of R, G, B,
 * then the minimum over a PATCH x PATCH square); the airlight A = the mean colour of the 0.1 %
 * pixels with the brightest dark channel; the transmission t = 1 - OMEGA * dark(I / A), refined by
 * a guided filter with the grey image as guide; the scene J = (I - A) / max(t, T_MIN) + A.
 */
public final class DarkChannelDehaze {

    static final int PATCH = 15;
    /** Keeps a little haze so distant objects still look distant (the paper's 0.95). */
    static final double OMEGA = 0.95;
    static final double T_MIN = 0.1;
    static final int GUIDE_RADIUS = 30;
    static final double GUIDE_EPS = 1e-3;

    private DarkChannelDehaze() {
    }

    /** The dehazed copy of a planar RGB image (values clipped to [0, 1]). */
    public static float[] dehaze(float[] rgb, int w, int h) {
        int plane = w * h;
        float[] minRgb = new float[plane];
        for (int i = 0; i < plane; i++) {
            minRgb[i] = Math.min(rgb[i], Math.min(rgb[plane + i], rgb[2 * plane + i]));
        }
        float[] dark = minFilter(minRgb, w, h, PATCH / 2);
        double[] a = airlight(rgb, dark, plane);

        float[] normMin = new float[plane];
        for (int i = 0; i < plane; i++) {
            normMin[i] = (float) Math.min(rgb[i] / a[0], Math.min(rgb[plane + i] / a[1], rgb[2 * plane + i] / a[2]));
        }
        float[] darkNorm = minFilter(normMin, w, h, PATCH / 2);
        float[] t = new float[plane];
        for (int i = 0; i < plane; i++) {
            t[i] = (float) (1 - OMEGA * darkNorm[i]);
        }
        float[] grey = new float[plane];
        for (int i = 0; i < plane; i++) {
            grey[i] = 0.299f * rgb[i] + 0.587f * rgb[plane + i] + 0.114f * rgb[2 * plane + i];
        }
        float[] refined = guidedFilter(grey, t, w, h, Math.min(GUIDE_RADIUS, Math.min(w, h) / 4), GUIDE_EPS);

        float[] out = new float[rgb.length];
        for (int i = 0; i < plane; i++) {
            double ti = Math.max(refined[i], T_MIN);
            for (int c = 0; c < 3; c++) {
                double j = (rgb[c * plane + i] - a[c]) / ti + a[c];
                out[c * plane + i] = (float) Math.min(1, Math.max(0, j));
            }
        }
        return out;
    }

    /** Mean colour of the brightest 0.1 % of the dark channel (at least one pixel). */
    private static double[] airlight(float[] rgb, float[] dark, int plane) {
        int n = Math.max(1, plane / 1000);
        // the n-th largest dark value, found by a 256-bin histogram (dark values are in [0, 1])
        int[] hist = new int[257];
        for (float d : dark) {
            hist[bin(d)]++;
        }
        int threshold = 256;
        for (int seen = 0; threshold > 0 && seen + hist[threshold] < n; threshold--) {
            seen += hist[threshold];
        }
        double[] a = new double[3];
        int count = 0;
        for (int i = 0; i < plane && count < n; i++) {
            if (bin(dark[i]) > threshold) {
                count = addTo(a, rgb, plane, i, count);
            }
        }
        for (int i = 0; i < plane && count < n; i++) {
            if (bin(dark[i]) == threshold) {
                count = addTo(a, rgb, plane, i, count);
            }
        }
        for (int c = 0; c < 3; c++) {
            a[c] = Math.max(a[c] / count, 1e-3);
        }
        return a;
    }

    private static int addTo(double[] a, float[] rgb, int plane, int i, int count) {
        for (int c = 0; c < 3; c++) {
            a[c] += rgb[c * plane + i];
        }
        return count + 1;
    }

    private static int bin(float v) {
        return Math.max(0, Math.min(256, Math.round(v * 256)));
    }

    /** Minimum over a (2r+1) x (2r+1) square clipped at the borders; separable, rows then columns. */
    static float[] minFilter(float[] src, int w, int h, int r) {
        float[] rows = new float[src.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float m = Float.MAX_VALUE;
                for (int k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++) {
                    m = Math.min(m, src[y * w + k]);
                }
                rows[y * w + x] = m;
            }
        }
        float[] out = new float[src.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float m = Float.MAX_VALUE;
                for (int k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++) {
                    m = Math.min(m, rows[k * w + x]);
                }
                out[y * w + x] = m;
            }
        }
        return out;
    }

    /** Edge-preserving smoothing of p guided by i (He et al. 2010): a local linear model q = a i + b. */
    static float[] guidedFilter(float[] i, float[] p, int w, int h, int r, double eps) {
        int n = i.length;
        double[] guide = new double[n];
        double[] src = new double[n];
        for (int k = 0; k < n; k++) {
            guide[k] = i[k];
            src[k] = p[k];
        }
        double[][] ab = org.daair.stream.engine.GuidedFilter.coefficients(guide, src, w, h, r, eps);
        float[] q = new float[n];
        for (int k = 0; k < n; k++) {
            q[k] = (float) (ab[0][k] * i[k] + ab[1][k]);
        }
        return q;
    }
}
