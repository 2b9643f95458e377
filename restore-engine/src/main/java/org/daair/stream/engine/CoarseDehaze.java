package org.daair.stream.engine;

/**
 * Coarse-to-fine dehazing: the network estimates the haze on a downscaled frame, and a local
 * affine map from input to output, fitted there, carries the estimate back to full resolution.
 *
 * <p>Haze is a per-pixel affine map of the scene, {@code I = J t + A (1 - t)}, whose coefficients
 * change slowly across the picture. The network learnt it on 128-pixel crops and removes much less
 * haze from a 480- or 1000-pixel frame than from the same frame at 256 pixels or less (hazy
 * training photos: {@code training/coarse_study.py}). Fitting {@code J ~ a I + b} over small
 * windows of the coarse pair and applying the upsampled {@code (a, b)} to the full-resolution input
 * keeps the input's detail and the coarse estimate of the haze (a guided filter style transfer);
 * the network also runs on (f x f) times fewer pixels.
 *
 * <p>Same definitions as {@code training/daair/coarse.py}, which the evaluation uses:
 * <ul>
 * <li>factor {@code f = ceil(max(h, w) / side)}, so the coarse frame's longer side is at most
 *     side (and more than side / 2); at 1 (frames at most side long) the frame is restored as it
 *     is;</li>
 * <li>downscale: the mean of each f x f cell, cells past the edge repeat the last row or column;</li>
 * <li>fit per channel on the coarse grid, box means over (2 r + 1)^2 with edges repeated:
 *     {@code a = cov(I, J) / (var(I) + eps)}, {@code b = mean(J) - a mean(I)}, then a and b
 *     box-averaged again;</li>
 * <li>a and b upsampled bilinearly, cell i centred at {@code (i + 0.5) f - 0.5}, clamped;</li>
 * <li>output {@code clip(a I + b, 0, 1)}.</li>
 * </ul>
 *
 * <p>The guard ({@link #guard}): on flat overhead footage (asphalt) the copy can darken the frame
 * far more than the network does at native resolution, and then loses 3-8 dB; on photos it rarely
 * does ({@code training/coarse_footage_study.py}). So the network also runs on the frame's central
 * square (side: the coarse side, or the frame's shorter side) at native resolution, and where the
 * copy path's output there is darker by more than a gap in mean luma ({@code engine.coarse_guard_gap},
 * {@link #GUARD_GAP} by default), the output is pulled toward the copy path's output calibrated per
 * channel (a least-squares affine map from its central square to the native run's), fully from
 * twice the gap on: a ramp, so the frames of a video near the threshold do not toggle. Off by
 * default ({@code engine.coarse_guard}): under a camera's noise the native run dehazes less than
 * the copy, and the guard then costs noisy photos.
 */
public final class CoarseDehaze {

    /** The coarse frame's longer side is at most this (and more than half of it). */
    public static final int DEFAULT_SIDE = 256;
    /** Fitting window on the coarse grid: (2 r + 1)^2 cells. */
    static final int RADIUS = 4;
    /** Regularises the slope where the coarse input is flat. */
    static final double EPS = 1e-4;
    /**
     * How much darker (mean luma, central square) the copy path's output must be than the native
     * run's for the guard to start; from twice this the calibrated copy alone is the output.
     */
    public static final double GUARD_GAP = 0.08;

    private CoarseDehaze() {
    }

    /** Downscale factor for a w x h frame and a coarse side (1: no coarse pass). */
    public static int factor(int w, int h, int side) {
        return side <= 0 ? 1 : Math.max(1, (Math.max(w, h) + side - 1) / side);
    }

    /** Coarse width or height for a full one. */
    public static int coarse(int n, int f) {
        return (n + f - 1) / f;
    }

    /** Planar RGB w x h -> the means of its f x f cells (planar RGB, coarse(w) x coarse(h)). */
    public static float[] downscale(float[] rgb, int w, int h, int f) {
        int cw = coarse(w, f);
        int ch = coarse(h, f);
        float[] out = new float[3 * cw * ch];
        double norm = 1.0 / (f * f);
        for (int c = 0; c < 3; c++) {
            int src = c * w * h;
            int dst = c * cw * ch;
            for (int cy = 0; cy < ch; cy++) {
                for (int cx = 0; cx < cw; cx++) {
                    double s = 0;
                    for (int dy = 0; dy < f; dy++) {
                        int row = src + Math.min(h - 1, cy * f + dy) * w;
                        for (int dx = 0; dx < f; dx++) {
                            s += rgb[row + Math.min(w - 1, cx * f + dx)];
                        }
                    }
                    out[dst + cy * cw + cx] = (float) (s * norm);
                }
            }
        }
        return out;
    }

    /**
     * The local affine map coarseIn -> coarseOut (planar RGB on the coarse grid of a w x h frame
     * at factor f), applied to fullIn (planar RGB, w x h).
     */
    public static float[] transfer(float[] coarseIn, float[] coarseOut, float[] fullIn, int w, int h, int f) {
        int cw = coarse(w, f);
        int ch = coarse(h, f);
        int cplane = cw * ch;
        float[] out = new float[3 * w * h];
        int[] y0 = new int[h];
        int[] y1 = new int[h];
        double[] wy = new double[h];
        axis(h, ch, f, y0, y1, wy);
        int[] x0 = new int[w];
        int[] x1 = new int[w];
        double[] wx = new double[w];
        axis(w, cw, f, x0, x1, wx);
        for (int c = 0; c < 3; c++) {
            double[] in = new double[cplane];
            double[] o = new double[cplane];
            for (int i = 0; i < cplane; i++) {
                in[i] = coarseIn[c * cplane + i];
                o[i] = coarseOut[c * cplane + i];
            }
            double[][] ab = GuidedFilter.coefficients(in, o, cw, ch, RADIUS, EPS);
            double[] a = ab[0];
            double[] b = ab[1];
            int plane = c * w * h;
            for (int y = 0; y < h; y++) {
                int r0 = y0[y] * cw;
                int r1 = y1[y] * cw;
                double fy = wy[y];
                for (int x = 0; x < w; x++) {
                    double fx = wx[x];
                    double av = lerp(lerp(a[r0 + x0[x]], a[r0 + x1[x]], fx), lerp(a[r1 + x0[x]], a[r1 + x1[x]], fx), fy);
                    double bv = lerp(lerp(b[r0 + x0[x]], b[r0 + x1[x]], fx), lerp(b[r1 + x0[x]], b[r1 + x1[x]], fx), fy);
                    double v = av * fullIn[plane + y * w + x] + bv;
                    out[plane + y * w + x] = (float) (v < 0 ? 0 : (v > 1 ? 1 : v));
                }
            }
        }
        return out;
    }

    private static double lerp(double p, double q, double t) {
        return p * (1 - t) + q * t;
    }

    /** Bilinear source cells and weights along one axis: cell i centred at (i + 0.5) f - 0.5. */
    private static void axis(int n, int cn, int f, int[] i0, int[] i1, double[] wgt) {
        for (int x = 0; x < n; x++) {
            double u = Math.min(cn - 1, Math.max(0, (x + 0.5) / f - 0.5));
            i0[x] = (int) Math.floor(u);
            i1[x] = Math.min(i0[x] + 1, cn - 1);
            wgt[x] = u - i0[x];
        }
    }

    /** Side of the central square the guard compares: the coarse side, at most the shorter side. */
    public static int guardSide(int w, int h, int side) {
        return Math.min(side, Math.min(w, h));
    }

    /** The central n x n square of a planar RGB w x h frame (n = {@link #guardSide}). */
    public static float[] centralSquare(float[] rgb, int w, int h, int n) {
        int y0 = (h - n) / 2;
        int x0 = (w - n) / 2;
        float[] out = new float[3 * n * n];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < n; y++) {
                System.arraycopy(rgb, c * w * h + (y0 + y) * w + x0, out, c * n * n + y * n, n);
            }
        }
        return out;
    }

    /** Mean BT.601 luma of planar RGB. */
    static double lumaMean(float[] rgb) {
        int plane = rgb.length / 3;
        double s = 0;
        for (int i = 0; i < plane; i++) {
            s += 0.299 * rgb[i] + 0.587 * rgb[plane + i] + 0.114 * rgb[2 * plane + i];
        }
        return s / plane;
    }

    /**
     * Share of the calibrated copy in the output for a luma GAP (copy path minus native run) and the
     * guard's START (a positive gap: 0 down to -START, 1 from -2 START).
     */
    static double guardWeight(double gap, double start) {
        return Math.max(0, Math.min(1, (-start - gap) / start));
    }

    /**
     * The guarded output: {@code out} (the copy path's, planar RGB w x h) as it is while its central
     * n x n square is less than GAP darker than {@code native} (the network's output on the input's
     * central square), else blended toward {@code out} mapped per channel by the least-squares
     * affine fit from its central square to {@code native}, clipped to [0, 1].
     */
    public static float[] guard(float[] out, int w, int h, float[] nativeSquare, int n, double gap) {
        float[] outSquare = centralSquare(out, w, h, n);
        double weight = guardWeight(lumaMean(outSquare) - lumaMean(nativeSquare), gap);
        if (weight == 0) {
            return out;
        }
        int plane = w * h;
        int sq = n * n;
        float[] res = new float[out.length];
        for (int c = 0; c < 3; c++) {
            double mx = 0;
            double my = 0;
            for (int i = 0; i < sq; i++) {
                mx += outSquare[c * sq + i];
                my += nativeSquare[c * sq + i];
            }
            mx /= sq;
            my /= sq;
            double cov = 0;
            double var = 0;
            for (int i = 0; i < sq; i++) {
                double dx = outSquare[c * sq + i] - mx;
                cov += dx * (nativeSquare[c * sq + i] - my);
                var += dx * dx;
            }
            double a = (cov / sq) / Math.max(var / sq, 1e-6);
            double b = my - a * mx;
            for (int i = c * plane; i < (c + 1) * plane; i++) {
                double cal = a * out[i] + b;
                cal = cal < 0 ? 0 : (cal > 1 ? 1 : cal);
                res[i] = (float) (out[i] * (1 - weight) + cal * weight);
            }
        }
        return res;
    }
}
