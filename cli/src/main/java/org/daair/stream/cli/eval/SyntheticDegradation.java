package org.daair.stream.cli.eval;

import java.util.Locale;
import java.util.Random;

/**
 * Seeded synthetic degradations of a clean image, for measuring restoration where no degraded
 * recording with a clean reference exists. Modelled on {@code training/daair/degradations.py} (the
 * training data), but with one fixed, documented strength per kind instead of a random one, so an
 * evaluation is repeatable and its numbers mean one thing; not bit-identical to Python. Every
 * result is clipped and rounded to the 8-bit grid, as a camera or codec delivers it.
 *
 * <p>Spec strings: {@code noise[:SIGMA]} (default 25, on the 0..255 scale), {@code haze[:BETA]}
 * (1.2), {@code rain[:PEAK]} (0.5), {@code blur[:LENGTH]} (11 px), {@code lowlight[:EXPOSURE]} (0.1).
 * The same (spec, seed, image) always gives the same pixels.
 *
 * @param kind  noise, haze, rain, blur or lowlight
 * @param param the kind's strength (see above)
 */
public record SyntheticDegradation(String kind, double param) {

    /** The spec as given on the command line, e.g. "noise:25". */
    public static SyntheticDegradation parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        int colon = s.indexOf(':');
        String kind = colon < 0 ? s : s.substring(0, colon);
        double def = switch (kind) {
            case "noise" -> 25;
            case "haze" -> 1.2;
            case "rain" -> 0.5;
            case "blur" -> 11;
            case "lowlight" -> 0.1;
            default -> throw new IllegalArgumentException("unknown degradation '" + spec
                    + "': use noise[:SIGMA], haze[:BETA], rain[:PEAK], blur[:LENGTH] or lowlight[:EXPOSURE]");
        };
        double p = def;
        if (colon >= 0) {
            try {
                p = Double.parseDouble(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + spec + "': the strength after ':' must be a number");
            }
            if (!(p > 0) || Double.isInfinite(p) || (kind.equals("lowlight") && p > 1)) {
                throw new IllegalArgumentException("'" + spec + "': the strength must be > 0"
                        + (kind.equals("lowlight") ? " and <= 1" : ""));
            }
        }
        return new SyntheticDegradation(kind, p);
    }

    /** The restoration task that undoes this degradation (the route the classifier should pick). */
    public String task() {
        return switch (kind) {
            case "noise" -> "denoise";
            case "haze" -> "dehaze";
            case "rain" -> "derain";
            case "blur" -> "deblur";
            default -> "lowlight";
        };
    }

    @Override
    public String toString() {
        return kind + ":" + (param == Math.rint(param) ? String.valueOf((long) param) : String.valueOf(param));
    }

    /**
     * The degraded copy of a planar RGB image in [0, 1] (the input is not changed).
     *
     * @param seed per image: the caller derives it from the image's name or frame number
     */
    public float[] apply(float[] rgb, int w, int h, long seed) {
        Random rng = new Random(seed);
        float[] out = switch (kind) {
            case "noise" -> noise(rgb, param / 255.0, rng);
            case "haze" -> haze(rgb, w, h, param, rng);
            case "rain" -> rain(rgb, w, h, param, rng);
            case "blur" -> blur(rgb, w, h, param, rng);
            default -> lowLight(rgb, param, rng);
        };
        return quantise(out);
    }

    /** Additive white Gaussian noise of standard deviation sigma (on the [0, 1] scale). */
    private static float[] noise(float[] rgb, double sigma, Random rng) {
        float[] out = new float[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            out[i] = (float) (rgb[i] + rng.nextGaussian() * sigma);
        }
        return out;
    }

    /**
     * Atmospheric scattering I = J t + A (1 - t), t = exp(-beta d), with a depth proxy d in
     * [0.15, 1]: a scene that recedes towards the top of the frame (outdoor cameras look at a ground
     * plane), mixed with a smooth random field for the scene's layout. Airlight 0.85, slightly
     * tinted per channel.
     */
    private static float[] haze(float[] rgb, int w, int h, double beta, Random rng) {
        int plane = w * h;
        float[] field = smoothField(w, h, 8, rng);
        double near = 0.15;
        float[] airlight = new float[3];
        for (int c = 0; c < 3; c++) {
            airlight[c] = (float) (0.85 + (rng.nextDouble() - 0.5) * 0.06);
        }
        float[] out = new float[rgb.length];
        for (int y = 0; y < h; y++) {
            double ramp = 1.0 - (double) y / Math.max(h - 1, 1);
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                double d = near + (1 - near) * (0.7 * ramp + 0.3 * field[i]);
                double t = Math.exp(-beta * d);
                for (int c = 0; c < 3; c++) {
                    out[c * plane + i] = (float) (rgb[c * plane + i] * t + airlight[c] * (1 - t));
                }
            }
        }
        return out;
    }

    /**
     * Additive, achromatic rain streaks like Rain100L's: sparse drops (density 0.001 per pixel, each
     * of random brightness) drawn as anti-aliased lines 20-60 px long, all at one random angle
     * within +-20 degrees of vertical (+-3 per drop), wrapping at the borders, then scaled to PEAK.
     */
    private static float[] rain(float[] rgb, int w, int h, double peak, Random rng) {
        float[] layer = new float[w * h];
        double angle = Math.toRadians((rng.nextDouble() * 2 - 1) * 20);
        double length = 20 + rng.nextDouble() * 40;
        int drops = (int) Math.round(w * (double) h * 0.001);
        for (int k = 0; k < drops; k++) {
            double cx = rng.nextDouble() * w;
            double cy = rng.nextDouble() * h;
            double v = 0.15 + rng.nextDouble() * 0.85;
            double a = angle + Math.toRadians((rng.nextDouble() * 2 - 1) * 3);
            double dy = Math.cos(a);
            double dx = Math.sin(a);
            int steps = (int) (length * 2);
            for (int s = 0; s <= steps; s++) {
                double t = -length / 2 + length * s / steps;
                // two samples per pixel of path, each splatted bilinearly with half the weight
                splat(layer, w, h, cx + t * dx, cy + t * dy, v * 0.5);
            }
        }
        int plane = w * h;
        float[] out = new float[rgb.length];
        for (int i = 0; i < plane; i++) {
            float streak = (float) (Math.min(1.0, layer[i]) * peak);
            for (int c = 0; c < 3; c++) {
                out[c * plane + i] = rgb[c * plane + i] + streak;
            }
        }
        return out;
    }

    private static void splat(float[] layer, int w, int h, double x, double y, double v) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        add(layer, w, h, x0, y0, v * (1 - fx) * (1 - fy));
        add(layer, w, h, x0 + 1, y0, v * fx * (1 - fy));
        add(layer, w, h, x0, y0 + 1, v * (1 - fx) * fy);
        add(layer, w, h, x0 + 1, y0 + 1, v * fx * fy);
    }

    private static void add(float[] layer, int w, int h, int x, int y, double v) {
        layer[Math.floorMod(y, h) * w + Math.floorMod(x, w)] += (float) v;
    }

    /**
     * Linear camera motion: the image averaged along a straight path of LENGTH pixels at a random
     * angle (borders reflected), plus faint sensor noise (sigma 1/255).
     */
    private static float[] blur(float[] rgb, int w, int h, double length, Random rng) {
        double angle = rng.nextDouble() * Math.PI;
        int taps = Math.max(2, (int) Math.round(length));
        double dx = Math.cos(angle);
        double dy = Math.sin(angle);
        int plane = w * h;
        float[] out = new float[rgb.length];
        for (int c = 0; c < 3; c++) {
            int off = c * plane;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double sum = 0;
                    for (int k = 0; k < taps; k++) {
                        double t = (k - (taps - 1) / 2.0) * (length / taps);
                        sum += bilinear(rgb, off, w, h, x + t * dx, y + t * dy);
                    }
                    out[off + y * w + x] = (float) (sum / taps);
                }
            }
        }
        for (int i = 0; i < out.length; i++) {
            out[i] += (float) (rng.nextGaussian() / 255.0);
        }
        return out;
    }

    private static double bilinear(float[] img, int off, int w, int h, double x, double y) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        return (1 - fy) * ((1 - fx) * at(img, off, w, h, x0, y0) + fx * at(img, off, w, h, x0 + 1, y0))
                + fy * ((1 - fx) * at(img, off, w, h, x0, y0 + 1) + fx * at(img, off, w, h, x0 + 1, y0 + 1));
    }

    private static float at(float[] img, int off, int w, int h, int x, int y) {
        return img[off + reflect(y, h) * w + reflect(x, w)];
    }

    /** Mirror an index into [0, n) (edge pixel repeated, as scipy's "reflect"). */
    static int reflect(int i, int n) {
        int period = 2 * n;
        int m = Math.floorMod(i, period);
        return m < n ? m : period - 1 - m;
    }

    /**
     * Low light: exposure dropped to EXPOSURE in linear light (sRGB-like gamma 2.2), photon shot
     * noise (Poisson, 150 photons at full scale) and read noise (sigma 0.005), then the camera's
     * tone curve (gamma 1/2.2).
     */
    private static float[] lowLight(float[] rgb, double exposure, Random rng) {
        double photons = 150;
        float[] out = new float[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            double lin = Math.pow(Math.max(0, rgb[i]), 2.2) * exposure;
            double v = poisson(lin * photons, rng) / photons + rng.nextGaussian() * 0.005;
            out[i] = (float) Math.pow(Math.min(1, Math.max(0, v)), 1 / 2.2);
        }
        return out;
    }

    /** Poisson sample: Knuth's product method for small means, the normal approximation above 30. */
    private static double poisson(double mean, Random rng) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 30) {
            return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.nextGaussian()));
        }
        double limit = Math.exp(-mean);
        double p = rng.nextDouble();
        int k = 0;
        while (p > limit) {
            p *= rng.nextDouble();
            k++;
        }
        return k;
    }

    /** A smooth random field in [0, 1]: a coarse grid of Gaussian values, bilinearly upsampled. */
    private static float[] smoothField(int w, int h, int cells, Random rng) {
        int gw = cells + 1;
        int gh = cells + 1;
        double[] grid = new double[gw * gh];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = rng.nextGaussian();
        }
        float[] f = new float[w * h];
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (int y = 0; y < h; y++) {
            double gy = (double) y / Math.max(h - 1, 1) * cells;
            int y0 = Math.min((int) gy, cells - 1);
            double fy = gy - y0;
            for (int x = 0; x < w; x++) {
                double gx = (double) x / Math.max(w - 1, 1) * cells;
                int x0 = Math.min((int) gx, cells - 1);
                double fx = gx - x0;
                double v = (1 - fy) * ((1 - fx) * grid[y0 * gw + x0] + fx * grid[y0 * gw + x0 + 1])
                        + fy * ((1 - fx) * grid[(y0 + 1) * gw + x0] + fx * grid[(y0 + 1) * gw + x0 + 1]);
                f[y * w + x] = (float) v;
                lo = Math.min(lo, f[y * w + x]);
                hi = Math.max(hi, f[y * w + x]);
            }
        }
        for (int i = 0; i < f.length; i++) {
            f[i] = (f[i] - lo) / (hi - lo + 1e-6f);
        }
        return f;
    }

    private static float[] quantise(float[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = ImageQuality.to8bit(v[i]) / 255f;
        }
        return v;
    }
}
