package org.daair.stream.cli.eval;

/**
 * PSNR and SSIM of an image against its clean reference, computed the way the Python side
 * ({@code training/daair/metrics.py}, scikit-image 0.19) computes them for the model card, so the
 * numbers can be compared:
 *
 * <ul>
 *   <li>RGB, every value first rounded to the 8-bit grid (what an image file holds; the Python
 *       side evaluates the network's float output, which differs by the rounding alone, well under
 *       0.01 dB at these error levels);</li>
 *   <li>PSNR over all pixels and channels with peak 255;</li>
 *   <li>SSIM of Wang et al. 2004 with scikit-image's defaults as metrics.py calls it: a 7x7
 *       <em>uniform</em> window (not the paper's 11x11 Gaussian), K1 0.01, K2 0.03, sample
 *       covariances (divided by 48, not 49), the mean of the SSIM map over the pixels whose window
 *       lies inside the image (3 pixels cropped on each side), per channel, then averaged over the
 *       three channels.</li>
 * </ul>
 *
 * <p>Pixels are planar RGB floats in [0, 1] as in {@link org.daair.stream.common.Frame}.
 */
public final class ImageQuality {

    /** skimage's default window side when gaussian_weights is off. */
    static final int WINDOW = 7;
    private static final double K1 = 0.01;
    private static final double K2 = 0.03;

    private ImageQuality() {
    }

    /** A float in [0, 1] rounded to 0..255 (clamped; NaN becomes 0), as the image sink writes it. */
    static int to8bit(float v) {
        if (!(v > 0f)) {
            return 0;
        }
        if (v >= 1f) {
            return 255;
        }
        return (int) (v * 255f + 0.5f);
    }

    /** PSNR in dB of {@code test} against {@code reference}; +Infinity when they are identical. */
    public static double psnr(float[] reference, float[] test) {
        requireSameLength(reference, test);
        double sum = 0;
        for (int i = 0; i < reference.length; i++) {
            int d = to8bit(reference[i]) - to8bit(test[i]);
            sum += (double) d * d;
        }
        double mse = sum / reference.length;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    /** Mean SSIM of the three channels of {@code test} against {@code reference} (see the class comment). */
    public static double ssim(float[] reference, float[] test, int width, int height) {
        requireSameLength(reference, test);
        if (reference.length != 3 * width * height) {
            throw new IllegalArgumentException("expected 3*" + width + "*" + height + " values, got " + reference.length);
        }
        if (width < WINDOW || height < WINDOW) {
            throw new IllegalArgumentException("SSIM needs images of at least " + WINDOW + "x" + WINDOW + " pixels");
        }
        int plane = width * height;
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            sum += channelSsim(reference, test, c * plane, width, height);
        }
        return sum / 3;
    }

    private static double channelSsim(float[] ref, float[] test, int offset, int w, int h) {
        // summed-area tables of x, y, x^2, y^2, xy on the [0, 1] scale of the 8-bit values
        int sw = w + 1;
        double[] sx = new double[sw * (h + 1)];
        double[] sy = new double[sx.length];
        double[] sxx = new double[sx.length];
        double[] syy = new double[sx.length];
        double[] sxy = new double[sx.length];
        for (int y = 0; y < h; y++) {
            double rx = 0, ry = 0, rxx = 0, ryy = 0, rxy = 0;
            for (int x = 0; x < w; x++) {
                double a = to8bit(ref[offset + y * w + x]) / 255.0;
                double b = to8bit(test[offset + y * w + x]) / 255.0;
                rx += a;
                ry += b;
                rxx += a * a;
                ryy += b * b;
                rxy += a * b;
                int i = (y + 1) * sw + x + 1;
                int up = y * sw + x + 1;
                sx[i] = sx[up] + rx;
                sy[i] = sy[up] + ry;
                sxx[i] = sxx[up] + rxx;
                syy[i] = syy[up] + ryy;
                sxy[i] = sxy[up] + rxy;
            }
        }
        int n = WINDOW * WINDOW;
        double covNorm = n / (n - 1.0);
        double c1 = K1 * K1;
        double c2 = K2 * K2;
        int half = WINDOW / 2;
        double total = 0;
        long count = 0;
        for (int y = half; y < h - half; y++) {
            for (int x = half; x < w - half; x++) {
                int y0 = y - half, y1 = y + half + 1, x0 = x - half, x1 = x + half + 1;
                double ux = box(sx, sw, x0, y0, x1, y1) / n;
                double uy = box(sy, sw, x0, y0, x1, y1) / n;
                double uxx = box(sxx, sw, x0, y0, x1, y1) / n;
                double uyy = box(syy, sw, x0, y0, x1, y1) / n;
                double uxy = box(sxy, sw, x0, y0, x1, y1) / n;
                double vx = covNorm * (uxx - ux * ux);
                double vy = covNorm * (uyy - uy * uy);
                double vxy = covNorm * (uxy - ux * uy);
                total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
                count++;
            }
        }
        return total / count;
    }

    private static double box(double[] s, int sw, int x0, int y0, int x1, int y1) {
        return s[y1 * sw + x1] - s[y0 * sw + x1] - s[y1 * sw + x0] + s[y0 * sw + x0];
    }

    private static void requireSameLength(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("images differ in size (" + a.length + " vs " + b.length + " values)");
        }
    }
}
