package org.daair.stream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link LiveSource} over scripted inputs: a camera that sends some frames and then drops (throws
 * or ends), an address that refuses connections for a while, a camera faster than its consumer.
 * The end-to-end version, with a real UDP sender stopped and restarted, is the CLI's LiveReconnectTest.
 */
@Timeout(60)
class LiveSourceTest {

    /** A scripted connection: {@code count} frames of WxH, one every {@code everyMs}, then a drop. */
    static final class Script implements FrameSource {
        final int w;
        final int h;
        final int count;
        final long everyMs;
        final boolean throwAtEnd;
        final float value;
        int i;
        boolean closed;

        Script(int w, int h, int count, long everyMs, boolean throwAtEnd, float value) {
            this.w = w;
            this.h = h;
            this.count = count;
            this.everyMs = everyMs;
            this.throwAtEnd = throwAtEnd;
            this.value = value;
        }

        @Override
        public StreamInfo info() {
            return new StreamInfo("cam", "test://cam", w, h, 25, 1, 1, 1_000_000, 2, 2, 2, 0, 0, -1, false, "raw");
        }

        @Override
        public Frame next() throws IOException {
            if (i >= count) {
                if (throwAtEnd) {
                    throw new SourceException("connection reset");
                }
                return null;
            }
            try {
                Thread.sleep(everyMs);
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            float[] rgb = new float[3 * w * h];
            java.util.Arrays.fill(rgb, value + i * 1e-3f);
            // every connection starts its clock at 0, as a restarted camera does
            return new Frame("cam", i, i * 40_000L, w, h, rgb, null, null);
        }

        /** Advances after a frame was taken (the sleep is before it). */
        Frame nextCounted() throws IOException {
            Frame f = next();
            if (f != null) {
                i++;
            }
            return f;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static FrameSource counted(Script s) {
        return new FrameSource() {
            @Override
            public StreamInfo info() {
                return s.info();
            }

            @Override
            public Frame next() throws IOException {
                return s.nextCounted();
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }

    private static List<Frame> drain(LiveSource src, long sleepMs) throws IOException, InterruptedException {
        List<Frame> out = new ArrayList<>();
        for (Frame f; (f = src.next()) != null; ) {
            out.add(f);
            if (sleepMs > 0) {
                Thread.sleep(sleepMs);
            }
        }
        return out;
    }

    private static void assertTimeline(List<Frame> out) {
        for (int k = 0; k < out.size(); k++) {
            assertEquals(k, out.get(k).seq(), "seq numbers are consecutive");
            if (k > 0) {
                assertTrue(out.get(k).ptsMicros() > out.get(k - 1).ptsMicros(),
                        "timestamps increase: " + out.get(k - 1) + " then " + out.get(k));
            }
        }
    }

    @Test
    void reconnectsAfterADropAndRepeatsTheLastFrameWhileTheSourceIsGone() throws Exception {
        Script first = new Script(16, 8, 10, 5, true, 0.2f);
        Script second = new Script(16, 8, 10, 5, false, 0.7f);
        AtomicInteger attempts = new AtomicInteger();
        LiveSource.Opener opener = () -> {
            // the camera is rebooting: two refused attempts, then it is back
            int n = attempts.incrementAndGet();
            if (n <= 2) {
                throw new SourceException("connection refused");
            }
            if (n == 3) {
                return counted(second);
            }
            throw new SourceException("gone for good");
        };
        List<Frame> out;
        LiveSource.Stats stats;
        try (LiveSource src = LiveSource.builder().setFirst(counted(first)).setOpener(opener)
                .optBackoff(Duration.ofMillis(100), Duration.ofMillis(400)).optHoldAfter(Duration.ofMillis(50))
                .optGiveUpAfter(Duration.ofMillis(500)).build()) {
            out = drain(src, 0);
            stats = src.stats();
        }
        long fromFirst = out.stream().filter(f -> f.rgb()[0] < 0.5f).count();
        long distinctFirst = out.stream().filter(f -> f.rgb()[0] < 0.5f).map(f -> f.rgb()[0]).distinct().count();
        long distinctSecond = out.stream().filter(f -> f.rgb()[0] >= 0.5f).map(f -> f.rgb()[0]).distinct().count();
        assertEquals(10, distinctFirst, "every frame of the first connection");
        assertEquals(10, distinctSecond, "every frame after the reconnection");
        assertTrue(fromFirst > 10, "the first connection's last frame was repeated during the outage: " + stats);
        assertEquals(20 + stats.held(), out.size(), "decoded frames and repeats, nothing else");
        assertTrue(attempts.get() >= 3 && attempts.get() <= 8, "retried with backoff, not in a busy loop: " + attempts);
        assertEquals(1, stats.reconnects());
        assertEquals(2, stats.outages(), "the drop, and the second connection's end");
        assertEquals(0, stats.dropped());
        assertTrue(first.closed && second.closed, "every connection closed");
        assertTimeline(out);
        // the repeats sit one frame apart on the timeline, and the second connection continues after them
        int firstOfSecond = (int) fromFirst;
        assertEquals(out.get(firstOfSecond - 1).ptsMicros() + 40_000, out.get(firstOfSecond).ptsMicros());
    }

    @Test
    void dropsTheOldestFramesWhenTheConsumerIsBehind() throws Exception {
        Script fast = new Script(8, 8, 60, 1, false, 0.1f);
        List<Frame> out;
        LiveSource.Stats stats;
        try (LiveSource src = LiveSource.builder().setFirst(counted(fast)).setOpener(() -> {
                    throw new SourceException("gone for good");
                })
                .optQueueFrames(2).optGiveUpAfter(Duration.ofMillis(300)).optWhileGone(LiveSource.WhileGone.PAUSE).build()) {
            out = drain(src, 15);
            stats = src.stats();
        }
        assertTrue(stats.dropped() > 10, "a consumer 15x slower than the camera makes the source drop: " + stats);
        assertEquals(60, out.size() + stats.dropped(), "every decoded frame is either handed out or counted as dropped");
        assertEquals(0, stats.held(), "pause mode repeats nothing");
        assertTimeline(out);
        float lastValue = out.get(out.size() - 1).rgb()[0];
        assertEquals(0.1f + 59 * 1e-3f, lastValue, 1e-6f, "the newest frame is kept, the oldest are dropped");
    }

    @Test
    void scalesAReconnectedSourceOfAnotherSizeToTheFirst() throws Exception {
        Script first = new Script(16, 8, 3, 1, false, 0.2f);
        Script bigger = new Script(32, 16, 3, 1, false, 0.7f);
        List<Frame> out;
        AtomicInteger opened = new AtomicInteger();
        LiveSource.Stats stats;
        // a queue that holds every frame: this test is about scaling, and with the default queue
        // of 4 a consumer slowed down by a loaded machine lets the source drop the oldest frames
        try (LiveSource src = LiveSource.builder().setFirst(counted(first))
                .setOpener(() -> opened.getAndIncrement() == 0 ? counted(bigger) : new Script(32, 16, 0, 1, false, 0))
                .optQueueFrames(16).optGiveUpAfter(Duration.ofMillis(300)).optWhileGone(LiveSource.WhileGone.PAUSE).build()) {
            out = drain(src, 0);
            stats = src.stats();
        }
        assertTrue(opened.get() < 10, "a connection that ends at once is retried with backoff: " + opened);
        assertEquals(0, stats.dropped(), "nothing dropped: " + stats);
        assertEquals(6, out.size(), "both connections' frames: " + out.size());
        for (Frame f : out) {
            assertEquals(16, f.width());
            assertEquals(8, f.height());
            assertEquals(3 * 16 * 8, f.rgb().length);
        }
        assertTimeline(out);
    }

    @Test
    void stopEndsTheStreamPromptly() throws Exception {
        Script slow = new Script(8, 8, 1000, 20, false, 0.3f);
        try (LiveSource src = LiveSource.builder().setFirst(counted(slow)).setOpener(() -> counted(slow)).build()) {
            src.next();
            long t0 = System.nanoTime();
            src.stop();
            assertNull(src.next(), "a stopped source ends");
            assertNull(src.next(), "and stays ended");
            assertTrue(System.nanoTime() - t0 < 1_000_000_000L);
        }
        assertTrue(slow.closed, "the reader closed the input");
    }
}
