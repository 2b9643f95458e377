package org.daair.stream.engine;

/**
 * The guided filter's local linear model (He et al., 2010): within every (2 r + 1)^2 window,
 * {@code src ~ a guide + b} by least squares, {@code eps} regularising the slope where the guide is
 * flat; a and b are then averaged over the same windows. Window means repeat the edge pixels.
 * Used by the coarse-to-fine dehazing ({@link CoarseDehaze}) and the dark-channel baseline.
 */
public final class GuidedFilter {

    private GuidedFilter() {
    }

    /** @return {a, b}, each w x h */
    public static double[][] coefficients(double[] guide, double[] src, int w, int h, int r, double eps) {
        int n = guide.length;
        double[] gg = new double[n];
        double[] gs = new double[n];
        for (int i = 0; i < n; i++) {
            gg[i] = guide[i] * guide[i];
            gs[i] = guide[i] * src[i];
        }
        double[] mg = box(guide, w, h, r);
        double[] ms = box(src, w, h, r);
        double[] mgg = box(gg, w, h, r);
        double[] mgs = box(gs, w, h, r);
        double[] a = new double[n];
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            double cov = mgs[i] - mg[i] * ms[i];
            double var = mgg[i] - mg[i] * mg[i];
            a[i] = cov / (var + eps);
            b[i] = ms[i] - a[i] * mg[i];
        }
        return new double[][] {box(a, w, h, r), box(b, w, h, r)};
    }

    /** Separable (2 r + 1)^2 box mean, edges repeated. */
    public static double[] box(double[] v, int w, int h, int r) {
        double[] tmp = new double[v.length];
        int n = 2 * r + 1;
        for (int y = 0; y < h; y++) {
            int row = y * w;
            double s = 0;
            for (int k = -r; k <= r; k++) {
                s += v[row + clamp(k, w)];
            }
            for (int x = 0; x < w; x++) {
                tmp[row + x] = s / n;
                s += v[row + clamp(x + r + 1, w)] - v[row + clamp(x - r, w)];
            }
        }
        double[] out = new double[v.length];
        for (int x = 0; x < w; x++) {
            double s = 0;
            for (int k = -r; k <= r; k++) {
                s += tmp[clamp(k, h) * w + x];
            }
            for (int y = 0; y < h; y++) {
                out[y * w + x] = s / n;
                s += tmp[clamp(y + r + 1, h) * w + x] - tmp[clamp(y - r, h) * w + x];
            }
        }
        return out;
    }

    private static int clamp(int v, int n) {
        return v < 0 ? 0 : v >= n ? n - 1 : v;
    }
}
