package org.daair.stream.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.daair.stream.common.Frame;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Publishers and subscribers against the real (shared, in-JVM) broker. */
class KafkaFramesTest {

    private static EmbeddedKafkaBroker broker;
    private static KafkaFrames kafka;

    @BeforeAll
    static void broker() {
        broker = SharedBroker.get();
        kafka = broker.frames();
    }

    /** Reads until every stream in STREAMS has its end-of-stream marker, at most 60 s. */
    private static Map<String, List<Frame>> readStreams(FrameSubscriber in, Set<String> streams) {
        Map<String, List<Frame>> got = new HashMap<>();
        Set<String> open = new HashSet<>(streams);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!open.isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "timed out; still open: " + open + ", got " + got.keySet());
            ReceivedFrame r = in.next(Duration.ofSeconds(1));
            if (r == null) {
                continue;
            }
            Frame f = r.frame();
            if (f.isEndOfStream()) {
                assertTrue(open.remove(f.streamId()), "second end of " + f.streamId());
                assertEquals(got.getOrDefault(f.streamId(), List.of()).size(), f.seq(), "frame count of " + f.streamId());
            } else {
                got.computeIfAbsent(f.streamId(), k -> new ArrayList<>()).add(f);
            }
        }
        return got;
    }

    @Test
    void twoStreamsArriveExactlyOnceAndInOrder() throws Exception {
        String topic = SharedBroker.topic("two-streams");
        assertTrue(kafka.ensureTopic(topic, 3));
        assertTrue(!kafka.ensureTopic(topic, 3)); // exists: left alone
        int n = 25;
        Map<String, Set<Integer>> partitions = new HashMap<>();
        try (FramePublisher out = kafka.publisher(topic)) {
            out.describe("cam-a", FrameMeta.UNSPECIFIED.withTraceId("trace-a"));
            for (int i = 0; i < n; i++) {
                for (String s : List.of("cam-a", "cam-b")) {
                    RecordMetadata md = out.send(TestFrames.random(s, i, 24, 16));
                    partitions.computeIfAbsent(s, k -> new HashSet<>()).add(md.partition());
                }
            }
            out.send(Frame.endOfStream("cam-a", n));
            out.send(Frame.endOfStream("cam-b", n));
        }
        assertEquals(1, partitions.get("cam-a").size(), "one partition per stream");
        assertEquals(1, partitions.get("cam-b").size());

        try (FrameSubscriber in = kafka.subscriber(topic, "g-two-streams")) {
            Map<String, List<Frame>> got = readStreams(in, Set.of("cam-a", "cam-b"));
            for (String s : List.of("cam-a", "cam-b")) {
                List<Frame> frames = got.get(s);
                assertEquals(n, frames.size(), s);
                for (int i = 0; i < n; i++) {
                    assertEquals(i, frames.get(i).seq(), s + " in order");
                    assertArrayEquals(TestFrames.random(s, i, 24, 16).rgb(), frames.get(i).rgb());
                }
            }
            in.commit();
            // nothing more: no frame twice
            assertEquals(null, in.next(Duration.ofMillis(300)));
        }
    }

    @Test
    void uncommittedFramesAreDeliveredAgainToTheGroup() throws Exception {
        String topic = SharedBroker.topic("commit");
        kafka.ensureTopic(topic, 1);
        try (FramePublisher out = kafka.publisher(topic)) {
            for (int i = 0; i < 8; i++) {
                out.sendAsync(TestFrames.random("cam", i, 8, 8), null, null);
            }
            out.flush();
        }
        try (FrameSubscriber in = kafka.subscriber(topic, "g-commit")) {
            List<ReceivedFrame> got = new ArrayList<>();
            while (got.size() < 4) {
                ReceivedFrame r = in.next(Duration.ofSeconds(30));
                assertNotNull(r);
                got.add(r);
            }
            in.commit(got.get(2)); // frames 0..2 processed; 3 was taken but not finished: a crash now
        }
        try (FrameSubscriber in = kafka.subscriber(topic, "g-commit")) {
            ReceivedFrame r = in.next(Duration.ofSeconds(30));
            assertNotNull(r);
            assertEquals(3, r.frame().seq(), "resumes after the last commit");
            in.commit();
        }
        try (FrameSubscriber in = kafka.subscriber(topic, "g-other")) { // another group reads everything
            assertEquals(0, in.next(Duration.ofSeconds(30)).frame().seq());
        }
    }

    @Test
    void aSubscriberCanKeepOneStream() throws Exception {
        String topic = SharedBroker.topic("filter");
        kafka.ensureTopic(topic, 2);
        try (FramePublisher out = kafka.publisher(topic, FrameCodec.of(PayloadEncoding.RAW_U8))) {
            for (int i = 0; i < 5; i++) {
                out.send(TestFrames.eightBit("left", i, 8, 8));
                out.send(TestFrames.eightBit("right", i, 8, 8));
            }
            out.send(Frame.endOfStream("left", 5));
            out.send(Frame.endOfStream("right", 5));
        }
        try (FrameSubscriber in = kafka.subscriber(topic, "g-filter").onlyStream("right")) {
            Map<String, List<Frame>> got = readStreams(in, Set.of("right"));
            assertEquals(Set.of("right"), got.keySet());
            assertEquals(5, got.get("right").size());
            assertArrayEquals(TestFrames.eightBit("right", 4, 8, 8).rgb(), got.get("right").get(4).rgb());
            assertThrows(IllegalStateException.class, () -> in.onlyStream("left"));
        }
    }

    @Test
    void fullHdFloatAnd4kEightBitFramesPass() throws Exception {
        String topic = SharedBroker.topic("large");
        kafka.ensureTopic(topic, 1);
        Frame hd = TestFrames.random("big", 0, 1920, 1080);
        Frame uhd = TestFrames.eightBit("big", 1, 3840, 2160);
        long t0 = System.nanoTime();
        try (FramePublisher f32 = kafka.publisher(topic);
             FramePublisher u8 = kafka.publisher(topic, FrameCodec.of(PayloadEncoding.RAW_U8))) {
            f32.send(hd);       // 24.9 MB
            u8.send(uhd);       // 24.9 MB
        }
        try (FrameSubscriber in = kafka.subscriber(topic, "g-large")) {
            ReceivedFrame a = in.next(Duration.ofSeconds(60));
            assertNotNull(a);
            assertEquals(PayloadEncoding.RAW_F32, a.encoding());
            assertArrayEquals(hd.rgb(), a.frame().rgb());
            ReceivedFrame b = in.next(Duration.ofSeconds(60));
            assertNotNull(b);
            assertEquals(3840, b.frame().width());
            assertEquals(PayloadEncoding.RAW_U8, b.encoding());
            assertArrayEquals(uhd.rgb(), b.frame().rgb());
            in.commit();
        }
        System.out.printf("1080p raw-f32 + 4K raw-u8 through the broker: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    @Test
    void malformedRecordsGoToTheDeadLetterTopicAndTheStreamGoesOn() throws Exception {
        String topic = SharedBroker.topic("dlq-src");
        String dead = SharedBroker.topic("dlq");
        kafka.ensureTopic(topic, 1);
        kafka.ensureTopic(dead, 1);
        byte[] garbage = "definitely not a frame".getBytes(StandardCharsets.UTF_8);
        try (FramePublisher out = kafka.publisher(topic);
             KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(kafka.producerConfig())) {
            out.send(TestFrames.random("cam", 0, 8, 8));
            RecordHeaders h = new RecordHeaders();
            h.add("daair.v", "1".getBytes(StandardCharsets.UTF_8));
            h.add("trace", "x".getBytes(StandardCharsets.UTF_8));
            raw.send(new ProducerRecord<>(topic, null, "cam".getBytes(StandardCharsets.UTF_8), garbage, h)).get();
            out.send(TestFrames.random("cam", 1, 8, 8));
            out.send(TestFrames.random("cam", 2, 8, 8));
            out.send(Frame.endOfStream("cam", 3));
        }
        try (FrameSubscriber in = kafka.subscriber(topic, "g-dlq").deadLetterTo(dead)) {
            Map<String, List<Frame>> got = readStreams(in, Set.of("cam"));
            assertEquals(List.of(0L, 1L, 2L), got.get("cam").stream().map(Frame::seq).toList());
            assertEquals(1, in.deadLettered());
            in.commit();
        }
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.consumerConfig("g-dlq-reader"))) {
            c.subscribe(List.of(dead));
            List<ConsumerRecord<byte[], byte[]>> recs = new ArrayList<>();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (recs.isEmpty() && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> polled = c.poll(Duration.ofMillis(500));
                polled.forEach(recs::add);
            }
            assertEquals(1, recs.size());
            ConsumerRecord<byte[], byte[]> r = recs.get(0);
            assertArrayEquals(garbage, r.value());
            assertEquals("cam", new String(r.key(), StandardCharsets.UTF_8));
            assertEquals("x", header(r, "trace"), "original headers kept");
            assertTrue(header(r, FrameHeaders.ERROR).contains("daair.seq"), header(r, FrameHeaders.ERROR));
            assertEquals(FrameFormatException.class.getName(), header(r, FrameHeaders.ERROR_CLASS));
            assertEquals(topic, header(r, FrameHeaders.SOURCE_TOPIC));
            assertEquals("0", header(r, FrameHeaders.SOURCE_PARTITION));
            assertEquals("1", header(r, FrameHeaders.SOURCE_OFFSET));
        }
        // without a dead-letter topic the error reaches the caller, and the next call goes on
        try (FrameSubscriber in = kafka.subscriber(topic, "g-no-dlq")) {
            assertEquals(0, in.next(Duration.ofSeconds(30)).frame().seq());
            FrameFormatException e = assertThrows(FrameFormatException.class, () -> in.next(Duration.ofSeconds(30)));
            assertEquals(1, e.offset());
            assertEquals(1, in.next(Duration.ofSeconds(30)).frame().seq());
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
