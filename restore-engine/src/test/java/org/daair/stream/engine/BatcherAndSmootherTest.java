package org.daair.stream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.daair.stream.common.Frame;
import org.junit.jupiter.api.Test;

class BatcherAndSmootherTest {

    static Frame f(long seq, String route, int w, int h) {
        return new Frame("s", seq, seq, w, h, new float[3 * w * h], route, null);
    }

    @Test
    void groupsByRouteAndSizeAndReleasesFullGroups() {
        Batcher b = new Batcher(3, 1000);
        assertNull(b.add(f(0, "derain", 8, 8), 0));
        assertNull(b.add(f(1, "dehaze", 8, 8), 0));
        assertNull(b.add(f(2, "derain", 16, 8), 0));
        assertNull(b.add(f(3, "derain", 8, 8), 0));
        Batcher.Batch full = b.add(f(4, "derain", 8, 8), 0);
        assertNotNull(full);
        assertEquals("derain", full.route());
        assertEquals(List.of(0L, 3L, 4L), full.frames().stream().map(Frame::seq).toList());
        assertEquals(2, b.waiting());
    }

    @Test
    void releasesAGroupAfterMaxWait() {
        Batcher b = new Batcher(8, 50);
        b.add(f(0, "denoise", 8, 8), 0);
        b.add(f(1, "denoise", 8, 8), 10_000_000L);
        assertTrue(b.due(49_000_000L).isEmpty());
        assertEquals(1_000_000L, b.nanosUntilDue(49_000_000L));
        List<Batcher.Batch> due = b.due(50_000_000L);
        assertEquals(1, due.size());
        assertEquals(2, due.get(0).frames().size());
        assertEquals(-1, b.nanosUntilDue(60_000_000L));
    }

    @Test
    void hysteresisIgnoresASingleOutlierFrame() {
        RouteSmoother s = new RouteSmoother(0.5, 0.1, 3);
        float[] rain = {0.05f, 0.9f, 0.05f};
        float[] haze = {0.05f, 0.05f, 0.9f};
        assertEquals(1, s.update("cam", rain));
        assertEquals(1, s.update("cam", rain));
        assertEquals(1, s.update("cam", haze)); // one odd frame does not flip the route
        assertEquals(1, s.update("cam", rain));
        // a lasting change does switch, after the hold
        int switchedAt = -1;
        for (int i = 0; i < 10; i++) {
            if (s.update("cam", haze) == 2) {
                switchedAt = i;
                break;
            }
        }
        assertTrue(switchedAt >= 2 && switchedAt <= 5, "switched after " + switchedAt);
        assertEquals(0, s.update("other", new float[] {0.8f, 0.1f, 0.1f}), "streams are independent");
    }
}
