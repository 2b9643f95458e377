package org.daair.stream.engine;

import java.util.List;

/**
 * Temporal consistency of a video: how much consecutive frames differ where the scene does not
 * move. Static pixels are those whose blurred luma changes by less than {@link #STATIC_CHANGE}
 * between consecutive frames of a reference (the clean video when there is one, else the input).
 * The flicker of a video is the mean absolute difference between its consecutive frames over
 * those pixels (RGB, 0..1); a restored video is judged by its flicker relative to the clean one's.
 */
public final class Flicker {

    /** A blurred luma change below this (about 2/255) is a still pixel. */
    public static final double STATIC_CHANGE = 2.0 / 255;

    private Flicker() {
    }

    /**
     * @param video     the frames to measure (planar RGB of one size)
     * @param reference the frames that say where the scene is still (same count and size)
     * @return the mean absolute frame-to-frame change over still pixels, or NaN if none is still
     */
    public static double measure(List<float[]> video, List<float[]> reference, int w, int h) {
        return pooled(perFrame(video, reference, w, h));
    }

    /** The flicker of a whole video from its {@link #perFrame} parts (NaN when nothing is still). */
    public static double pooled(double[][] parts) {
        double sum = 0;
        long n = 0;
        for (int t = 1; t < parts[0].length; t++) {
            sum += parts[0][t];
            n += (long) parts[1][t];
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /**
     * Flicker frame by frame: for each frame t (from 1), the summed absolute change from frame
     * t - 1 over the still pixels ({@code [0][t]}) and their number ({@code [1][t]}), so spans of
     * frames (a route's, a spike at a switch) can be pooled exactly as {@link #measure} pools them all.
     */
    public static double[][] perFrame(List<float[]> video, List<float[]> reference, int w, int h) {
        if (video.size() != reference.size()) {
            throw new IllegalArgumentException(video.size() + " frames against " + reference.size() + " reference frames");
        }
        int plane = w * h;
        double[][] out = new double[2][video.size()];
        for (int t = 1; t < video.size(); t++) {
            float[] still = TemporalStabilizer.blurredLumaChange(reference.get(t), reference.get(t - 1), w, h);
            float[] a = video.get(t);
            float[] b = video.get(t - 1);
            double sum = 0;
            long n = 0;
            for (int i = 0; i < plane; i++) {
                if (still[i] < STATIC_CHANGE) {
                    sum += (Math.abs(a[i] - b[i]) + Math.abs(a[plane + i] - b[plane + i])
                            + Math.abs(a[2 * plane + i] - b[2 * plane + i])) / 3.0;
                    n++;
                }
            }
            out[0][t] = sum;
            out[1][t] = n;
        }
        return out;
    }

    /** A blurred luma change of the reference above this (about 6/255) is a moving pixel. */
    public static final double MOVING_CHANGE = 6.0 / 255;

    /**
     * PSNR (8-bit) of VIDEO against REFERENCE over the pixels where the reference moves (its
     * blurred luma changes by more than {@link #MOVING_CHANGE} from the previous frame), all
     * frames pooled: what temporal smoothing would blur. NaN when nothing moves.
     */
    public static double movingPsnr(List<float[]> video, List<float[]> reference, int w, int h) {
        return pooledPsnr(movingErrors(video, reference, w, h));
    }

    /**
     * {@link #movingPsnr} frame by frame: for each frame t (from 1), the summed squared 8-bit error
     * over the values (pixels x 3 channels) where the reference moves ({@code [0][t]}) and their
     * number ({@code [1][t]}), so that a span of frames (a segment of a clip) pools as the clip does.
     */
    public static double[][] movingErrors(List<float[]> video, List<float[]> reference, int w, int h) {
        if (video.size() != reference.size()) {
            throw new IllegalArgumentException(video.size() + " frames against " + reference.size() + " reference frames");
        }
        int plane = w * h;
        double[][] out = new double[2][video.size()];
        for (int t = 1; t < video.size(); t++) {
            float[] moving = TemporalStabilizer.blurredLumaChange(reference.get(t), reference.get(t - 1), w, h);
            float[] a = video.get(t);
            float[] r = reference.get(t);
            double se = 0;
            long n = 0;
            for (int i = 0; i < plane; i++) {
                if (moving[i] > MOVING_CHANGE) {
                    for (int c = 0; c < 3; c++) {
                        double d = Math.round(Math.min(1, Math.max(0, a[c * plane + i])) * 255)
                                - Math.round(Math.min(1, Math.max(0, r[c * plane + i])) * 255);
                        se += d * d;
                    }
                    n += 3;
                }
            }
            out[0][t] = se;
            out[1][t] = n;
        }
        return out;
    }

    /** The PSNR of {@link #movingErrors}' frames pooled (NaN when nothing moves). */
    public static double pooledPsnr(double[][] errors) {
        double se = 0;
        double n = 0;
        for (int t = 1; t < errors[0].length; t++) {
            se += errors[0][t];
            n += errors[1][t];
        }
        return n == 0 ? Double.NaN : 10 * Math.log10(255.0 * 255.0 / Math.max(se / n, 1e-10));
    }
}
