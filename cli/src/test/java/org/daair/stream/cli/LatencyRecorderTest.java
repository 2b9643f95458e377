package org.daair.stream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

    @Test
    void nearestRankPercentiles() {
        double[] hundred = new double[100];
        for (int i = 0; i < 100; i++) {
            hundred[i] = i + 1;
        }
        assertEquals(50, LatencyRecorder.percentile(hundred, 50));
        assertEquals(99, LatencyRecorder.percentile(hundred, 99));
        assertEquals(100, LatencyRecorder.percentile(hundred, 100));
        assertEquals(1, LatencyRecorder.percentile(hundred, 0.5));

        double[] eight = {10, 20, 30, 40, 50, 60, 70, 80};
        assertEquals(40, LatencyRecorder.percentile(eight, 50)); // rank ceil(4.0) = 4
        assertEquals(80, LatencyRecorder.percentile(eight, 99)); // rank ceil(7.92) = 8: the slowest
        assertEquals(7, LatencyRecorder.percentile(new double[] {7}, 99));
        assertTrue(Double.isNaN(LatencyRecorder.percentile(new double[0], 50)));
        assertThrows(IllegalArgumentException.class, () -> LatencyRecorder.percentile(eight, 0));
        assertThrows(IllegalArgumentException.class, () -> LatencyRecorder.percentile(eight, 101));
    }

    @Test
    void latencyIsReleaseToWrittenOnTheGivenClock() {
        AtomicLong now = new AtomicLong();
        LatencyRecorder r = new LatencyRecorder(now::get);
        // frames released every 100 ms; frame i written (i + 1) * 10 ms after its release,
        // out of release order for the last two; frames 3 and 7 passed through at the deadline
        long[] order = {0, 1, 2, 3, 4, 5, 6, 7, 9, 8};
        for (int i = 0; i < 10; i++) {
            now.set(i * 100_000_000L);
            r.released(i);
        }
        assertEquals(10, r.outstanding());
        List<long[]> writes = new ArrayList<>();
        for (long seq : order) {
            writes.add(new long[] {seq, seq * 100_000_000L + (seq + 1) * 10_000_000L});
        }
        writes.sort((a, b) -> Long.compare(a[1], b[1]));
        for (long[] w : writes) {
            now.set(w[1]);
            r.written(w[0], w[0] == 3 || w[0] == 7);
        }
        assertEquals(0, r.outstanding());
        LatencyRecorder.Summary s = r.summary();
        assertEquals(10, s.frames());
        assertEquals(2, s.passedThrough());
        assertEquals(8, s.restored());
        assertEquals(50, s.p50Ms(), 1e-9);  // latencies 10..100 ms: rank 5
        assertEquals(100, s.p99Ms(), 1e-9); // rank 10
        assertEquals(100, s.maxMs(), 1e-9);
        assertEquals(55, s.meanMs(), 1e-9);
    }

    @Test
    void aFrameWrittenTwiceOrNeverReleasedIsAnError() {
        LatencyRecorder r = new LatencyRecorder(() -> 0);
        r.released(0);
        r.written(0, false);
        assertThrows(IllegalStateException.class, () -> r.written(0, false));
        assertThrows(IllegalStateException.class, () -> r.written(5, true));
        assertEquals(1, r.summary().frames());
    }

    @Test
    void emptySummaryHasNoPercentiles() {
        LatencyRecorder.Summary s = new LatencyRecorder().summary();
        assertEquals(0, s.frames());
        assertTrue(Double.isNaN(s.p50Ms()));
        assertTrue(Double.isNaN(s.p99Ms()));
    }

    @Test
    void pacedSourceReleasesAtItsRateAndRecordsEachRelease() throws Exception {
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            frames.add(new Frame("decoded", 40 + i, i * 40_000L, 2, 1, new float[6], "derain", null));
        }
        StreamInfo info = new StreamInfo("cam1", "test", 2, 1, 25, 1, 1, 1_000_000, 1, 1, 1, 1, 0, 5, false, "ffv1");
        LatencyRecorder r = new LatencyRecorder();
        long t0 = System.nanoTime();
        try (PacedSource src = new PacedSource(frames, info, 100, r)) {
            for (int i = 0; i < 5; i++) {
                Frame f = src.next();
                assertEquals("cam1", f.streamId());
                assertEquals(i, f.seq());
                assertEquals(i * 40_000L, f.ptsMicros());
                assertEquals(null, f.route());
            }
            assertEquals(null, src.next());
        }
        // frame 4 is due 40 ms after frame 0 (a lower bound only: pacing never releases early)
        assertTrue(System.nanoTime() - t0 >= 40_000_000L);
        assertEquals(5, r.outstanding());
        assertThrows(IllegalArgumentException.class, () -> new PacedSource(frames, info, 0, r));
    }
}
