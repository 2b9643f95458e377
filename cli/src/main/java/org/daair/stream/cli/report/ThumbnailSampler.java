package org.daair.stream.cli.report;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Picks up to {@code max} evenly spaced frames of a stream while it is decoded. With a known
 * frame count the picks are exact (first and last included); without one (a pipe) every
 * {@code stride}-th frame is kept and the stride doubles whenever twice {@code max} are kept, so
 * memory stays bounded and the final pick is still spread over the whole stream.
 */
final class ThumbnailSampler {

    private final int max;
    private final TreeSet<Long> planned;
    private final TreeSet<Long> kept = new TreeSet<>();
    private long stride = 1;

    /** @param frameCount frames expected, or a value below 1 when unknown */
    ThumbnailSampler(int max, long frameCount) {
        if (max < 1) {
            throw new IllegalArgumentException("thumbnails must be >= 1");
        }
        this.max = max;
        if (frameCount > 0) {
            planned = new TreeSet<>();
            int n = (int) Math.min(max, frameCount);
            for (int i = 0; i < n; i++) {
                planned.add(n == 1 ? 0 : Math.round(i * (frameCount - 1) / (double) (n - 1)));
            }
        } else {
            planned = null;
        }
    }

    /** Whether to keep frame {@code seq}; called once per frame, in order. */
    synchronized boolean offer(long seq) {
        if (planned != null) {
            return planned.contains(seq);
        }
        if (seq % stride != 0) {
            return false;
        }
        kept.add(seq);
        if (kept.size() > 2 * max) {
            stride *= 2;
            kept.removeIf(s -> s % stride != 0);
        }
        return kept.contains(seq);
    }

    /** Whether frame {@code seq} is still wanted (a growing stride drops earlier picks). */
    synchronized boolean wanted(long seq) {
        return planned != null ? planned.contains(seq) : kept.contains(seq);
    }

    /** The final picks among {@code available} frames: up to {@code max}, evenly spaced, in order. */
    List<Long> choose(List<Long> available) {
        List<Long> sorted = new ArrayList<>(new TreeSet<>(available));
        if (sorted.size() <= max) {
            return sorted;
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            out.add(sorted.get(max == 1 ? 0 : (int) Math.round(i * (sorted.size() - 1) / (double) (max - 1))));
        }
        return out;
    }
}
