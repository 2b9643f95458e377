package org.daair.stream.cli;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.daair.stream.common.Frame;

/**
 * End-to-end latency per frame in live mode: the source calls {@link #released} when a frame
 * arrives (its wall-clock release by a paced source, as a camera would deliver it) and the sink
 * calls {@link #written} once the frame is written, restored or passed through at the deadline.
 * Frames are matched by seq; thread-safe (source and sink run on different threads).
 *
 * <p>Percentiles are nearest-rank: the p-th percentile of n sorted values is the value at rank
 * ceil(p / 100 * n), so it is always one of the measured latencies (with 8 frames, p99 is the
 * slowest frame).
 */
public final class LatencyRecorder {

    /** Latency over the frames written (milliseconds), and how many were passed through. */
    public record Summary(long frames, long restored, long passedThrough, double p50Ms, double p99Ms, double maxMs,
                          double meanMs) {
    }

    private final LongSupplier clock;
    private final ConcurrentHashMap<Long, Long> releasedAt = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private double[] latencies = new double[64];
    private int count;
    private long passed;

    public LatencyRecorder() {
        this(System::nanoTime);
    }

    /** @param clock nanoseconds, monotonic (System::nanoTime; a fake one in tests) */
    public LatencyRecorder(LongSupplier clock) {
        this.clock = clock;
    }

    /** Frame SEQ has been released by the source now. */
    public void released(long seq) {
        releasedAt.put(seq, clock.getAsLong());
    }

    /** Frame F has been written by the sink now; PASSED_THROUGH: its original, at the deadline. */
    public void written(Frame f, boolean passedThrough) {
        written(f.seq(), passedThrough);
    }

    public void written(long seq, boolean passedThrough) {
        long now = clock.getAsLong();
        Long t0 = releasedAt.remove(seq);
        if (t0 == null) {
            throw new IllegalStateException("frame " + seq + " written but never released (or written twice)");
        }
        record((now - t0) / 1e6, passedThrough);
    }

    /** Adds one latency directly (milliseconds). */
    public void record(double millis, boolean passedThrough) {
        synchronized (lock) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = millis;
            if (passedThrough) {
                passed++;
            }
        }
    }

    /** Frames released but not written (yet). */
    public int outstanding() {
        return releasedAt.size();
    }

    public Summary summary() {
        double[] sorted;
        long through;
        synchronized (lock) {
            sorted = Arrays.copyOf(latencies, count);
            through = passed;
        }
        Arrays.sort(sorted);
        double sum = 0;
        for (double v : sorted) {
            sum += v;
        }
        int n = sorted.length;
        return new Summary(n, n - through, through, percentile(sorted, 50), percentile(sorted, 99),
                n == 0 ? Double.NaN : sorted[n - 1], n == 0 ? Double.NaN : sum / n);
    }

    /**
     * Nearest-rank percentile of SORTED (ascending) values; NaN when there are none.
     *
     * @param p in (0, 100]
     */
    public static double percentile(double[] sorted, double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], not " + p);
        }
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sorted.length / 100.0);
        return sorted[Math.max(1, Math.min(sorted.length, rank)) - 1];
    }
}
