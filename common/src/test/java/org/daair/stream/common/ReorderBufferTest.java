package org.daair.stream.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReorderBufferTest {

    private static Frame frame(long seq) {
        return new Frame("s", seq, seq * 40_000, 1, 1, new float[3], null, null);
    }

    @Test
    void releasesFramesInOrder() {
        ReorderBuffer buf = new ReorderBuffer(0);
        List<Long> out = new ArrayList<>();
        for (long s : new long[] {2, 0, 3, 1, 5, 4}) {
            buf.add(frame(s)).forEach(f -> out.add(f.seq()));
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), out);
        assertEquals(0, buf.waiting());
    }

    @Test
    void holdsUntilTheGapIsFilled() {
        ReorderBuffer buf = new ReorderBuffer(0);
        assertTrue(buf.add(frame(1)).isEmpty());
        assertEquals(1, buf.waiting());
        assertEquals(2, buf.add(frame(0)).size());
    }

    @Test
    void rejectsDuplicates() {
        ReorderBuffer buf = new ReorderBuffer(0);
        buf.add(frame(0));
        assertThrows(IllegalStateException.class, () -> buf.add(frame(0)));
    }

    @Test
    void inProcessChannelBlocksWhenFullAndKeepsOrder() throws Exception {
        InProcessTransport t = new InProcessTransport(2);
        FrameChannel ch = t.channel("x");
        ch.send(frame(0));
        ch.send(frame(1));
        Thread producer = new Thread(() -> {
            try {
                ch.send(frame(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        producer.start();
        producer.join(200);
        assertTrue(producer.isAlive(), "a full channel must block the sender");
        assertEquals(0, ch.poll(Duration.ofSeconds(1)).seq());
        producer.join(2000);
        assertEquals(1, ch.poll(Duration.ofSeconds(1)).seq());
        assertEquals(2, ch.poll(Duration.ofSeconds(1)).seq());
        assertEquals(null, ch.poll(Duration.ofMillis(10)));
        assertTrue(Frame.endOfStream("s", 3).isEndOfStream());
    }
}
