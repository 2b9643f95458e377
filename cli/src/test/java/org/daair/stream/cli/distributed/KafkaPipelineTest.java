package org.daair.stream.cli.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.engine.Batcher;
import org.daair.stream.engine.RestoreEngine;
import org.daair.stream.engine.Task;
import org.daair.stream.ingest.FFmpegSource;
import org.daair.stream.ingest.FrameSource;
import org.daair.stream.kafka.EmbeddedKafkaBroker;
import org.daair.stream.kafka.FrameSubscriber;
import org.daair.stream.kafka.KafkaFrames;
import org.daair.stream.kafka.PayloadEncoding;
import org.daair.stream.kafka.ReceivedFrame;
import org.daair.stream.kafka.Topics;
import org.daair.stream.sink.SinkOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distributed mode against a real KRaft broker inside this JVM (one for the whole class). */
class KafkaPipelineTest {

    static EmbeddedKafkaBroker broker;
    static KafkaFrames kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.start();
        kafka = KafkaFrames.connect(broker.bootstrapServers());
        KafkaPipeline.ensureTopics(kafka);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    static Path models() {
        String r = System.getProperty("daair.repo.root", "..");
        return Path.of(r).resolve("models");
    }

    static RestoreEngine engine() throws Exception {
        return RestoreEngine.builder().setModelDir(models()).optTask(Task.DERAIN).optThreads(1).optMaxBatch(4).build();
    }

    /** A stream of small noisy frames held in memory. */
    static final class ListSource implements FrameSource {
        final StreamInfo info;
        final List<Frame> frames;
        final long delayMillis;
        int i;

        ListSource(String id, int n, long seed, long delayMillis) {
            int w = 64;
            int h = 48;
            info = new StreamInfo(id, "memory", w, h, 25, 1, 1, 25, 1, 1, 1, 1, 0, n, false, "raw");
            frames = new ArrayList<>();
            Random r = new Random(seed);
            for (int k = 0; k < n; k++) {
                float[] px = new float[3 * w * h];
                for (int p = 0; p < px.length; p++) {
                    px[p] = (float) Math.max(0, Math.min(1, 0.5 + 0.2 * Math.sin(p / 37.0 + k) + 0.1 * r.nextGaussian()));
                }
                frames.add(new Frame(id, k, k * 40_000L, w, h, px, null, null));
            }
            this.delayMillis = delayMillis;
        }

        @Override
        public StreamInfo info() {
            return info;
        }

        @Override
        public Frame next() {
            if (i >= frames.size()) {
                return null;
            }
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return frames.get(i++);
        }

        @Override
        public void close() {
        }
    }

    /** The restored frames of the given streams as a sink sees them after dropping repeats
     * (at-least-once delivery repeats frames across a rebalance), ordered by sequence number. */
    static Map<String, List<Frame>> collect(List<String> streams, Map<String, Integer> expected) {
        Map<String, List<Frame>> out = new HashMap<>();
        Map<String, Long> ends = new HashMap<>();
        try (FrameSubscriber in = kafka.subscriber(Topics.RESTORED, "collector-" + System.nanoTime())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (System.nanoTime() < deadline && !streams.stream().allMatch(s -> ends.containsKey(s)
                    && out.getOrDefault(s, List.of()).stream().map(Frame::seq).distinct().count() == expected.get(s))) {
                for (ReceivedFrame rf : in.poll(Duration.ofMillis(200))) {
                    Frame f = rf.frame();
                    if (!streams.contains(f.streamId())) {
                        continue;
                    }
                    if (f.isEndOfStream()) {
                        ends.put(f.streamId(), f.seq());
                    } else if (out.getOrDefault(f.streamId(), List.of()).stream().noneMatch(g -> g.seq() == f.seq())) {
                        out.computeIfAbsent(f.streamId(), k -> new ArrayList<>()).add(f);
                    }
                }
            }
        }
        out.values().forEach(l -> l.sort(java.util.Comparator.comparingLong(Frame::seq)));
        return out;
    }

    @Test
    void twoStreamsThroughTwoWorkersMatchTheInProcessResult() throws Exception {
        ListSource a = new ListSource("cam-a", 10, 1, 0);
        ListSource b = new ListSource("cam-b", 10, 2, 0);
        try (RestoreEngine e1 = engine(); RestoreEngine e2 = engine(); RestoreEngine reference = engine()) {
            KafkaWorker w1 = new KafkaWorker(kafka, e1, new Batcher(4, 20), "two-workers", PayloadEncoding.RAW_F32, java.util.Set.of("cam-a", "cam-b"));
            KafkaWorker w2 = new KafkaWorker(kafka, e2, new Batcher(4, 20), "two-workers", PayloadEncoding.RAW_F32, java.util.Set.of("cam-a", "cam-b"));
            Thread t1 = new Thread(w1);
            Thread t2 = new Thread(w2);
            t1.start();
            t2.start();
            Thread.sleep(2000); // let the group settle, so both workers share the partitions
            KafkaIngestStage.run(kafka, a, PayloadEncoding.RAW_F32);
            KafkaIngestStage.run(kafka, b, PayloadEncoding.RAW_F32);
            Map<String, List<Frame>> got = collect(List.of("cam-a", "cam-b"), Map.of("cam-a", 10, "cam-b", 10));
            w1.stop();
            w2.stop();
            t1.join();
            t2.join();
            assertNull(w1.failure());
            assertNull(w2.failure());
            for (ListSource src : List.of(a, b)) {
                List<Frame> frames = got.get(src.info.streamId());
                assertEquals(10, frames.size(), "every frame of " + src.info.streamId());
                for (int k = 0; k < 10; k++) {
                    assertEquals(k, frames.get(k).seq());
                    float[] expected = reference.restore("derain", List.of(src.frames.get(k))).get(0).rgb();
                    float max = 0;
                    for (int p = 0; p < expected.length; p++) {
                        max = Math.max(max, Math.abs(expected[p] - frames.get(k).rgb()[p]));
                    }
                    assertTrue(max <= 1e-3, "frame " + k + " of " + src.info.streamId() + " differs by " + max);
                }
            }
            assertTrue(w1.restoredFrames() + w2.restoredFrames() >= 20);
        }
    }

    @Test
    void aWorkerAddedAndOneStoppedMidStreamLosesNothing(@TempDir Path tmp) throws Exception {
        ListSource s = new ListSource("cam-r", 30, 3, 40);
        try (RestoreEngine e1 = engine(); RestoreEngine e2 = engine()) {
            KafkaWorker w1 = new KafkaWorker(kafka, e1, new Batcher(2, 20), "rebalance", PayloadEncoding.RAW_F32, java.util.Set.of("cam-r"));
            Thread t1 = new Thread(w1);
            t1.start();
            Thread ingest = new Thread(() -> {
                try {
                    KafkaIngestStage.run(kafka, s, PayloadEncoding.RAW_F32);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ingest.start();
            Thread.sleep(500);
            KafkaWorker w2 = new KafkaWorker(kafka, e2, new Batcher(2, 20), "rebalance", PayloadEncoding.RAW_F32, java.util.Set.of("cam-r"));
            Thread t2 = new Thread(w2);
            t2.start();          // added mid-stream
            Thread.sleep(700);
            w1.stop();           // the first one leaves mid-stream, with frames uncommitted
            t1.join();
            Path out = tmp.resolve("cam-r.mkv");
            KafkaSinkStage.Result r = KafkaSinkStage.run(kafka, "cam-r", out.toString(),
                    SinkOptions.defaults().withLossless(true).withCopyAudio(false), Duration.ofSeconds(90), null);
            w2.stop();
            t2.join();
            ingest.join();
            assertNull(w2.failure());
            assertEquals(30, r.written(), "every frame once at the output");
            long n = 0;
            try (FFmpegSource back = new FFmpegSource(out.toString(), "check")) {
                while (back.next() != null) {
                    n++;
                }
            }
            assertEquals(30, n);
        }
    }

    @Test
    void ingestWorkerAndSinkServeMovingMetrics(@TempDir Path tmp) throws Exception {
        ListSource s = new ListSource("cam-metrics", 20, 9, 40); // a 25 fps camera, one second
        try (RestoreEngine e1 = engine();
             org.daair.stream.cli.metrics.MetricsServer ingestServer = org.daair.stream.cli.metrics.MetricsServer.start("ingest", "127.0.0.1", 0);
             org.daair.stream.cli.metrics.MetricsServer workerServer = org.daair.stream.cli.metrics.MetricsServer.start("worker", "127.0.0.1", 0)) {
            var ingestMetrics = new org.daair.stream.cli.metrics.PipelineMetrics(ingestServer.registry());
            var workerMetrics = new org.daair.stream.cli.metrics.PipelineMetrics(workerServer.registry());
            KafkaWorker w = new KafkaWorker(kafka, new org.daair.stream.cli.metrics.MeteredRestorer(e1, workerMetrics), new Batcher(2, 20),
                    "metrics", PayloadEncoding.RAW_F32, java.util.Set.of("cam-metrics")).metrics(workerMetrics);
            Thread t = new Thread(w);
            t.start();
            var sampler = new org.daair.stream.cli.metrics.Scrapes.Sampler(workerServer.url(), Duration.ofMillis(50));
            KafkaSinkStage.Result r;
            try (sampler) {
                KafkaIngestStage.run(kafka, s, PayloadEncoding.RAW_F32, ingestMetrics);
                r = KafkaSinkStage.run(kafka, "cam-metrics", tmp.resolve("metrics.mkv").toString(),
                        SinkOptions.defaults().withLossless(true).withCopyAudio(false), Duration.ofSeconds(60), null);
                Thread.sleep(200);
            } finally {
                w.stop();
                t.join();
            }
            assertEquals(20, r.written());
            List<Double> out = sampler.distinct("daair_frames_out_total", "stream=\"cam-metrics\"");
            assertTrue(out.size() >= 3, "the worker's frames-out counter moved while the stream went on: " + out);
            assertEquals(20.0, out.get(out.size() - 1));
            String worker = org.daair.stream.cli.metrics.Scrapes.get(workerServer.url());
            assertEquals(20.0, org.daair.stream.cli.metrics.Scrapes.value(worker, "daair_frames_in_total", "stream=\"cam-metrics\""));
            assertEquals(20.0, org.daair.stream.cli.metrics.Scrapes.value(worker, "daair_frames_restored_total", "route=\"derain\""));
            assertTrue(org.daair.stream.cli.metrics.Scrapes.value(worker, "daair_stage_seconds_count", "stage=\"model\"") > 0);
            assertTrue(org.daair.stream.cli.metrics.Scrapes.value(worker, "daair_consumer_lag_records") >= 0, "consumer lag gauge");
            assertTrue(worker.contains("process=\"worker\""));
            String ingest = org.daair.stream.cli.metrics.Scrapes.get(ingestServer.url());
            assertEquals(20.0, org.daair.stream.cli.metrics.Scrapes.value(ingest, "daair_frames_out_total", "stream=\"cam-metrics\""));
            assertEquals(20.0, org.daair.stream.cli.metrics.Scrapes.value(ingest, "daair_stage_seconds_count", "stage=\"decode\""));
        }
    }

    @Test
    void aMalformedRecordGoesToTheDeadLetterTopicAndTheStreamGoesOn(@TempDir Path tmp) throws Exception {
        ListSource s = new ListSource("cam-m", 6, 4, 0);
        try (RestoreEngine e1 = engine();
             KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(kafka.producerConfig())) {
            KafkaWorker w = new KafkaWorker(kafka, e1, new Batcher(4, 20), "dead-letter", PayloadEncoding.RAW_F32, java.util.Set.of("cam-m"));
            Thread t = new Thread(w);
            t.start();
            raw.send(new ProducerRecord<>(Topics.FRAMES, "cam-m".getBytes(StandardCharsets.UTF_8), "garbage".getBytes(StandardCharsets.UTF_8))).get();
            KafkaIngestStage.run(kafka, s, PayloadEncoding.RAW_F32);
            KafkaSinkStage.Result r = KafkaSinkStage.run(kafka, "cam-m", tmp.resolve("m.mkv").toString(),
                    SinkOptions.defaults().withLossless(true).withCopyAudio(false), Duration.ofSeconds(60), null);
            w.stop();
            t.join();
            assertEquals(6, r.written());
            Map<String, Object> c = new HashMap<>(kafka.consumerConfig("dl-check-" + System.nanoTime()));
            int dead = 0;
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
                consumer.subscribe(List.of(Topics.DEAD_LETTER));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (dead == 0 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(300))) {
                        if ("garbage".equals(new String(rec.value(), StandardCharsets.UTF_8))) {
                            dead++;
                        }
                    }
                }
            }
            assertTrue(dead >= 1, "the malformed record is in the dead-letter topic");
        }
    }

    @Test
    void restoreThroughKafkaKeepsFrameCountOrderAndDuration(@TempDir Path tmp) throws Exception {
        Path src = Path.of(System.getProperty("daair.repo.root", "..")).resolve("samples/car-park-rain.mp4");
        Path out = tmp.resolve("kafka.mp4");
        try (RestoreEngine e = engine()) {
            KafkaSinkStage.Result r = KafkaPipeline.restore(kafka, src.toString(), out.toString(), e, new Batcher(4, 20),
                    SinkOptions.defaults(), PayloadEncoding.RAW_F32, null);
            assertEquals(40, r.written());
        }
        List<Long> a = new ArrayList<>();
        List<Long> b = new ArrayList<>();
        try (FFmpegSource s1 = new FFmpegSource(src.toString(), "a"); FFmpegSource s2 = new FFmpegSource(out.toString(), "b")) {
            for (Frame f; (f = s1.next()) != null; ) {
                a.add(f.ptsMicros());
            }
            for (Frame f; (f = s2.next()) != null; ) {
                b.add(f.ptsMicros());
            }
            assertEquals(s1.info().frameRate(), s2.info().frameRate(), 1e-9);
            assertTrue(s2.info().hasAudio(), "audio copied from the source");
        }
        assertEquals(a, b, "same frames at the same timestamps, in order");
    }

    @Test
    void liveModeWritesOriginalsForLateFramesInsteadOfStalling(@TempDir Path tmp) throws Exception {
        ListSource s = new ListSource("cam-live", 8, 5, 0);
        KafkaIngestStage.run(kafka, s, PayloadEncoding.RAW_F32); // no worker is running: every frame is late
        long t0 = System.nanoTime();
        KafkaSinkStage.Result r = KafkaSinkStage.run(kafka, "cam-live", tmp.resolve("live.mkv").toString(),
                SinkOptions.defaults().withLossless(true).withCopyAudio(false), Duration.ofSeconds(30), Duration.ofMillis(300), null);
        assertEquals(8, r.written());
        assertEquals(8, r.deadlineMisses());
        assertTrue((System.nanoTime() - t0) / 1e9 < 20, "the sink did not stall");
    }
}
