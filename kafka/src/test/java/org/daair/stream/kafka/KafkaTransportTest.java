package org.daair.stream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.daair.stream.common.Frame;
import org.daair.stream.common.FrameChannel;
import org.daair.stream.common.InProcessTransport;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.common.Transport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@link Transport} adapter: same frames as the in-process transport. */
class KafkaTransportTest {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void broker() {
        broker = SharedBroker.get();
    }

    /** Sends FRAMES + end marker on CHANNEL from a thread and reads them back on this one. */
    private static List<Frame> pass(Transport t, String channel, List<Frame> frames) throws Exception {
        FrameChannel c = t.channel(channel);
        Thread sender = new Thread(() -> {
            try {
                for (Frame f : frames) {
                    c.send(f);
                }
                c.send(Frame.endOfStream("main", frames.size()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        sender.start();
        List<Frame> got = new ArrayList<>();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            assertTrue(System.nanoTime() < deadline, "timed out after " + got.size() + " frames");
            Frame f = c.poll(Duration.ofMillis(500));
            if (f == null) {
                continue;
            }
            if (f.isEndOfStream()) {
                assertEquals(frames.size(), f.seq());
                break;
            }
            got.add(f);
        }
        sender.join();
        return got;
    }

    @Test
    void kafkaGivesTheSameFramesAsInProcess() throws Exception {
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            frames.add(TestFrames.random("main", i, 40, 24).withRoute(i % 2 == 0 ? "denoise" : "derain"));
        }
        List<Frame> local;
        try (Transport t = new InProcessTransport(4)) {
            local = pass(t, "restored", frames);
        }
        List<Frame> remote;
        try (KafkaTransport t = KafkaTransport.builder(broker.bootstrapServers()).topicPrefix("tt1.").maxInFlight(3).build()) {
            assertEquals("tt1.restored", t.topicFor("restored"));
            remote = pass(t, "restored", frames);
        }
        assertEquals(local.size(), remote.size());
        for (int i = 0; i < local.size(); i++) {
            Frame a = local.get(i);
            Frame b = remote.get(i);
            assertEquals(a.seq(), b.seq());
            assertEquals(a.ptsMicros(), b.ptsMicros());
            assertEquals(a.route(), b.route());
            assertTrue(TestFrames.maxAbsDiff(a.rgb(), b.rgb()) <= 1e-3f, "frame " + i);
        }
    }

    @Test
    void aStageRelaysColourTagsAndTraceIdFromFramesToRestored() throws Exception {
        StreamInfo info = new StreamInfo("main", "in.mp4", 16, 8, 25, 1, 1, 12_800, 1, 1, 1, 1, 0, 2, false, "h264");
        String trace;
        try (KafkaTransport ingest = KafkaTransport.builder(broker.bootstrapServers()).topicPrefix("tt2.")
                .encoding("frames", PayloadEncoding.RAW_U8).build()) {
            trace = ingest.describe(info);
            FrameChannel frames = ingest.channel("frames");
            frames.send(TestFrames.eightBit("main", 0, 16, 8));
            frames.send(TestFrames.eightBit("main", 1, 16, 8));
            frames.send(Frame.endOfStream("main", 2));
        }
        // a restoring stage in another "process": reads frames, writes restored
        try (KafkaTransport stage = KafkaTransport.builder(broker.bootstrapServers()).topicPrefix("tt2.").groupId("engine").build()) {
            FrameChannel in = stage.channel("frames");
            FrameChannel out = stage.channel("restored");
            while (true) {
                Frame f = in.poll(Duration.ofSeconds(30));
                assertNotNull(f);
                out.send(f.isEndOfStream() ? f : f.withRoute("denoise"));
                if (f.isEndOfStream()) {
                    break;
                }
            }
        }
        try (FrameSubscriber sink = broker.frames().subscriber("tt2.restored", "sink")) {
            for (int i = 0; i < 3; i++) {
                ReceivedFrame r = sink.next(Duration.ofSeconds(30));
                assertNotNull(r);
                assertEquals(trace, r.meta().traceId());
                assertEquals(FrameMeta.of(info, trace), r.meta());
                assertEquals(i == 2, r.frame().isEndOfStream());
                if (i < 2) {
                    assertEquals("denoise", r.frame().route());
                    assertEquals(PayloadEncoding.RAW_F32, r.encoding());
                }
            }
        }
    }
}
