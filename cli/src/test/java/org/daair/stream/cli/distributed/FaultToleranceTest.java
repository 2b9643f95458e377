package org.daair.stream.cli.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.daair.stream.cli.Main;
import org.daair.stream.cli.RestorePipeline;
import org.daair.stream.cli.RunSummary;
import org.daair.stream.common.Frame;
import org.daair.stream.common.InProcessTransport;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.config.Settings;
import org.daair.stream.engine.Batcher;
import org.daair.stream.engine.RestoreEngine;
import org.daair.stream.engine.Task;
import org.daair.stream.ingest.FFmpegSource;
import org.daair.stream.ingest.FrameSource;
import org.daair.stream.kafka.EmbeddedKafkaBroker;
import org.daair.stream.kafka.KafkaFrames;
import org.daair.stream.kafka.PayloadEncoding;
import org.daair.stream.sink.SinkOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of issue #5 with real processes and a real broker: a worker process killed with SIGKILL
 * mid-stream, the broker stopped and restarted mid-stream on the same port and data, and a soak
 * that runs an hour of 25 fps video (tiny frames) through the pipeline with heap and queue depth
 * sampled. Every wait has a deadline; child processes are killed in finally blocks.
 */
class FaultToleranceTest {

    /** Frames per fault job: 48 frames of 64x48, paced like a camera at 12.5 fps (about 4 s). */
    static final int FRAMES = 48;
    static final int W = 64;
    static final int H = 48;
    static final long PACE_MS = 80;
    /** The fault is injected once the sink has written this many frames. */
    static final int FAULT_AFTER = 6;

    static Path root() {
        return Path.of(System.getProperty("daair.repo.root", "..")).toAbsolutePath().normalize();
    }

    static Path models() {
        return root().resolve("models");
    }

    static RestoreEngine engine() throws Exception {
        return RestoreEngine.builder().setModelDir(models()).optTask(Task.DERAIN).optThreads(1).optMaxBatch(2).build();
    }

    // ------------------------------------------------------------------ frames that carry their seq

    /** Stripes of BITS bits: frame k shows k in binary, dark/bright 8-px stripes a restorer keeps. */
    static final int BITS = 8;

    static float[] pattern(long k) {
        float[] px = new float[3 * W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int bit = x / (W / BITS);
                float v = ((k >> bit) & 1) == 1 ? 0.85f : 0.15f;
                // a little texture, so the frames are not flat
                v += (float) (0.03 * Math.sin(x * 0.9 + y * 0.7));
                int i = (y * W + x) * 3;
                px[i] = v;
                px[i + 1] = v;
                px[i + 2] = v;
            }
        }
        return px;
    }

    /** The seq a (restored, encoded, decoded) frame shows. */
    static long readSeq(Frame f) {
        int stripe = f.width() / BITS;
        long k = 0;
        for (int bit = 0; bit < BITS; bit++) {
            double sum = 0;
            int n = 0;
            for (int y = 4; y < f.height() - 4; y++) {
                for (int x = bit * stripe + 2; x < (bit + 1) * stripe - 2; x++) {
                    int i = (y * f.width() + x) * 3;
                    sum += f.rgb()[i] + f.rgb()[i + 1] + f.rgb()[i + 2];
                    n += 3;
                }
            }
            if (sum / n > 0.5) {
                k |= 1L << bit;
            }
        }
        return k;
    }

    /** A camera: FRAMES frames, one every PACE_MS; counts what it handed out. */
    static final class PacedSource implements FrameSource {
        final StreamInfo info;
        final AtomicLong produced = new AtomicLong();

        PacedSource(String id) {
            info = new StreamInfo(id, "memory", W, H, 25, 1, 1, 25, 1, 1, 1, 1, 0, FRAMES, false, "raw");
        }

        @Override
        public StreamInfo info() {
            return info;
        }

        @Override
        public Frame next() throws IOException {
            long k = produced.get();
            if (k >= FRAMES) {
                return null;
            }
            try {
                Thread.sleep(PACE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            produced.incrementAndGet();
            return new Frame(info.streamId(), k, k * 40_000L, W, H, pattern(k), null, null);
        }

        @Override
        public void close() {
        }
    }

    /** The seqs shown by the frames of a video file, in file order, and their timestamps. */
    static List<long[]> decode(Path video) throws Exception {
        List<long[]> out = new ArrayList<>();
        try (FFmpegSource back = new FFmpegSource(video.toString(), "check")) {
            for (Frame f; (f = back.next()) != null; ) {
                out.add(new long[] {readSeq(f), f.ptsMicros()});
            }
        }
        return out;
    }

    static void assertEveryFrameOnceInOrder(Path video) throws Exception {
        List<long[]> got = decode(video);
        assertEquals(FRAMES, got.size(), "frames in " + video.getFileName());
        for (int k = 0; k < FRAMES; k++) {
            assertEquals(k, got.get(k)[0], "frame " + k + " of the output shows seq " + got.get(k)[0]);
            assertEquals(k * 40_000L, got.get(k)[1], "timestamp of frame " + k);
        }
    }

    // ------------------------------------------------------------------ waiting and processes

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /** Joins T; fails (and leaves T running, with whatever it holds unclosed) if it does not end in time. */
    static void join(Thread t, Duration timeout) throws InterruptedException {
        t.join(timeout.toMillis());
        if (t.isAlive()) {
            fail(t.getName() + " still running after " + timeout.toSeconds() + " s");
        }
    }

    /** `daair worker` in a child JVM: task derain, one ONNX thread, batches of 2; log in LOG. */
    static Process startWorkerProcess(String bootstrap, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-Xmx1g",
                "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "worker", "--bootstrap", bootstrap, "--task", "derain", "--model", models().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.environment().put("DAAIR_MODEL_THREADS", "1");
        pb.environment().put("DAAIR_ENGINE_MAX_BATCH", "2");
        pb.environment().put("DAAIR_ENGINE_MAX_WAIT_MS", "20");
        return pb.start();
    }

    static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Members of GROUP that hold at least one partition. */
    static int membersWithPartitions(KafkaFrames kafka, String group) {
        try (Admin admin = kafka.admin()) {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(10, TimeUnit.SECONDS);
            return (int) d.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
        } catch (Exception e) {
            return 0;
        }
    }

    /** Ingest and sink of one stream, each on its own thread. */
    static final class Job {
        final PacedSource source;
        final AtomicLong written = new AtomicLong();
        final AtomicReference<Throwable> ingestError = new AtomicReference<>();
        final AtomicReference<Throwable> sinkError = new AtomicReference<>();
        final AtomicReference<KafkaSinkStage.Result> result = new AtomicReference<>();
        final Thread ingest;
        final Thread sink;

        Job(KafkaFrames kafka, String streamId, Path output) {
            source = new PacedSource(streamId);
            ingest = new Thread(() -> {
                try {
                    KafkaIngestStage.run(kafka, source, PayloadEncoding.RAW_F32);
                } catch (Throwable e) {
                    ingestError.set(e);
                }
            }, "test-ingest-" + streamId);
            sink = new Thread(() -> {
                try {
                    result.set(KafkaSinkStage.run(kafka, streamId, output.toString(),
                            SinkOptions.defaults().withLossless(true).withCopyAudio(false), Duration.ofSeconds(150), written::set));
                } catch (Throwable e) {
                    sinkError.set(e);
                }
            }, "test-sink-" + streamId);
            ingest.setDaemon(true);
            sink.setDaemon(true);
        }

        void start() {
            sink.start();
            ingest.start();
        }

        KafkaSinkStage.Result finish(Duration timeout) throws InterruptedException {
            join(ingest, timeout);
            join(sink, timeout);
            assertNull(ingestError.get(), () -> "ingest failed: " + ingestError.get());
            assertNull(sinkError.get(), () -> "sink failed: " + sinkError.get());
            return result.get();
        }
    }

    // ------------------------------------------------------------------ 1. a worker process killed

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aWorkerProcessKilledMidStreamLosesAndRepeatsNothing(@TempDir Path tmp) throws Exception {
        long t0 = System.nanoTime();
        Process child = null;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            KafkaFrames kafka = KafkaFrames.connect(broker.bootstrapServers());
            KafkaPipeline.ensureTopics(kafka);
            Path log = tmp.resolve("worker-1.log");
            child = startWorkerProcess(broker.bootstrapServers(), log);
            Process first = child;
            await("the worker process to join the group", Duration.ofSeconds(150), () -> {
                if (!first.isAlive()) {
                    fail("worker process exited with " + first.exitValue() + ":\n" + tail(log));
                }
                return membersWithPartitions(kafka, KafkaWorker.GROUP) >= 1;
            });

            Path out = tmp.resolve("killed.mkv");
            Job job = new Job(kafka, "cam-kill", out);
            job.start();
            await(FAULT_AFTER + " frames restored by the worker process", Duration.ofSeconds(120),
                    () -> job.written.get() >= FAULT_AFTER);
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no commit, no leaving the group
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed worker exited");
            long writtenAtKill = job.written.get();
            long publishedAtKill = job.source.produced.get();
            assertTrue(writtenAtKill < FRAMES, "killed mid-stream (written " + writtenAtKill + ")");
            System.out.printf("worker killed after %d frames written, %d published%n", writtenAtKill, publishedAtKill);

            // a second worker takes over once the broker notices the first is gone (session timeout)
            try (RestoreEngine e = engine()) {
                KafkaWorker second = new KafkaWorker(kafka, e, new Batcher(2, 20), KafkaWorker.GROUP, PayloadEncoding.RAW_F32);
                Thread t = new Thread(second, "test-worker-2");
                t.start();
                try {
                    KafkaSinkStage.Result r = job.finish(Duration.ofSeconds(180));
                    assertEquals(FRAMES, r.written(), "every frame once at the output");
                    System.out.printf("after the kill: %d frames restored by the second worker, %d repeats dropped by the sink%n",
                            second.restoredFrames(), r.duplicates());
                    // frames published after the kill can only have been restored by the second worker
                    assertTrue(second.restoredFrames() >= FRAMES - publishedAtKill,
                            "the second worker restored what came after the kill (" + second.restoredFrames() + ")");
                } finally {
                    second.stop();
                    join(t, Duration.ofSeconds(60)); // before the engine closes
                }
                assertNull(second.failure());
            }
            assertEveryFrameOnceInOrder(out);
        } finally {
            if (child != null) {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
            }
        }
        System.out.printf("worker-kill test: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    // ------------------------------------------------------------------ 2. the broker restarted

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            return s.getLocalPort();
        }
    }

    /** Starts the broker on PORT and DIR, retrying while the port is still being released. */
    static EmbeddedKafkaBroker startBroker(int port, Path dir, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return EmbeddedKafkaBroker.builder().port(port).dataDir(dir).start();
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !String.valueOf(e.getMessage()).contains("in use")) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void theBrokerStoppedAndRestartedMidStreamLosesAndRepeatsNothing(@TempDir Path tmp) throws Exception {
        brokerRestart(tmp, k -> k, 3000);
    }

    /**
     * An outage longer than the clients' own retries: sends fail with a delivery timeout and
     * commits with an API timeout while the broker is away, and the stages must send and commit
     * again (with backoff) rather than drop frames or stop.
     */
    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void anOutageLongerThanTheClientTimeoutsIsRetriedByTheStages(@TempDir Path tmp) throws Exception {
        brokerRestart(tmp, k -> k
                .withProducerProperty("request.timeout.ms", 1500)
                .withProducerProperty("delivery.timeout.ms", 2000)
                .withProducerProperty("linger.ms", 0)
                .withProducerProperty("max.block.ms", 2000)
                .withConsumerProperty("request.timeout.ms", 1500)
                .withConsumerProperty("default.api.timeout.ms", 2000), 8000);
    }

    void brokerRestart(Path tmp, java.util.function.UnaryOperator<KafkaFrames> tune, long outageMs) throws Exception {
        long t0 = System.nanoTime();
        int port = freePort();
        Path data = tmp.resolve("broker");
        EmbeddedKafkaBroker broker = startBroker(port, data, Duration.ofSeconds(30));
        Thread workerThread = null;
        KafkaWorker worker = null;
        try (RestoreEngine e = engine()) {
            try {
                KafkaFrames kafka = tune.apply(KafkaFrames.connect(broker.bootstrapServers()));
                KafkaPipeline.ensureTopics(kafka);
                worker = new KafkaWorker(kafka, e, new Batcher(2, 20), KafkaWorker.GROUP, PayloadEncoding.RAW_F32);
                workerThread = new Thread(worker, "test-worker");
                workerThread.start();
                await("the worker to join the group", Duration.ofSeconds(60),
                        () -> membersWithPartitions(kafka, KafkaWorker.GROUP) >= 1);

                Path out = tmp.resolve("restarted.mkv");
                Job job = new Job(kafka, "cam-restart", out);
                job.start();
                KafkaWorker w = worker;
                await(FAULT_AFTER + " frames through", Duration.ofSeconds(120), () -> {
                    if (w.failure() != null) {
                        fail("worker failed: " + w.failure());
                    }
                    return job.written.get() >= FAULT_AFTER;
                });
                long s0 = System.nanoTime();
                broker.close();
                long writtenAtStop = job.written.get();
                long publishedAtStop = job.source.produced.get();
                assertTrue(writtenAtStop < FRAMES, "stopped mid-stream (written " + writtenAtStop + ")");
                Thread.sleep(outageMs); // the outage: the clients keep retrying meanwhile
                broker = startBroker(port, data, Duration.ofSeconds(60));
                System.out.printf("broker stopped after %d frames written, %d published; back after %.1f s%n",
                        writtenAtStop, publishedAtStop, (System.nanoTime() - s0) / 1e9);

                KafkaSinkStage.Result r = job.finish(Duration.ofSeconds(240));
                assertEquals(FRAMES, r.written(), "every frame once at the output");
                System.out.printf("after the restart: %d repeats dropped by the sink%n", r.duplicates());
                assertEveryFrameOnceInOrder(out);
                assertNull(worker.failure());
            } finally {
                if (worker != null) {
                    worker.stop();
                    join(workerThread, Duration.ofSeconds(90)); // before the engine closes
                }
            }
        } finally {
            broker.close();
        }
        System.out.printf("broker-restart test: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    // ------------------------------------------------------------------ 3. soak

    /** An hour of a 12.5 fps camera (about two minutes here at about 400 fps); -Ddaair.soak.frames=N for more. */
    static final int SOAK_FRAMES = Integer.getInteger("daair.soak.frames", 45_000);
    static final int SOAK_SIDE = 16;

    /** A y4m file (C444) of N frames of SIDE x SIDE, frame k a gradient shifted by k. */
    static Path soakClip(Path file, int n, int side) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(("YUV4MPEG2 W" + side + " H" + side + " F25:1 Ip A1:1 C444\n").getBytes(StandardCharsets.US_ASCII));
            byte[] planes = new byte[3 * side * side];
            byte[] frame = "FRAME\n".getBytes(StandardCharsets.US_ASCII);
            for (int k = 0; k < n; k++) {
                for (int i = 0; i < side * side; i++) {
                    planes[i] = (byte) (40 + ((i * 7 + k) % 170));
                    planes[side * side + i] = (byte) 128;
                    planes[2 * side * side + i] = (byte) 128;
                }
                out.write(frame);
                out.write(planes);
            }
        }
        return file;
    }

    static long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: no RSS
        }
        return -1;
    }

    record Sample(double seconds, long frames, long heapBytes, long rssKib, int framesDepth, int restoredDepth) {
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void soakAnHourOfTinyFramesKeepsHeapAndQueuesFlat(@TempDir Path tmp) throws Exception {
        long t0 = System.nanoTime();
        Path in = soakClip(tmp.resolve("soak.y4m"), SOAK_FRAMES, SOAK_SIDE);
        Path out = tmp.resolve("soak-out.y4m");
        int queue = 8; // the default pipeline.queue_frames
        Settings s = Settings.load(null, Map.of(), Map.of("model.task", "derain", "model.threads", "1",
                "engine.max_batch", "32", "engine.max_wait_ms", "50", "pipeline.queue_frames", Integer.toString(queue),
                "output.progress", "false"));
        RestorePipeline pipeline = new RestorePipeline(s, models());
        List<Sample> samples = new ArrayList<>();
        AtomicLong written = new AtomicLong();
        var memory = ManagementFactory.getMemoryMXBean();
        try (InProcessTransport transport = new InProcessTransport(queue)) {
            AtomicReference<Object> done = new AtomicReference<>();
            Thread sampler = new Thread(() -> {
                long s0 = System.nanoTime();
                while (done.get() == null) {
                    System.gc(); // a hint: what stays after it is what the pipeline holds on to
                    synchronized (samples) {
                        samples.add(new Sample((System.nanoTime() - s0) / 1e9, written.get(), memory.getHeapMemoryUsage().getUsed(),
                                rssKib(), transport.depth(RestorePipeline.FRAMES), transport.depth(RestorePipeline.RESTORED)));
                    }
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "soak-sampler");
            sampler.setDaemon(true);
            sampler.start();
            RunSummary summary;
            try {
                summary = pipeline.run(in.toString(), out.toString(), written::set, null, transport);
            } finally {
                done.set(Boolean.TRUE);
                sampler.interrupt();
                join(sampler, Duration.ofSeconds(30));
            }
            assertEquals(SOAK_FRAMES, summary.frames(), "every frame written");
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        // only samples taken while frames moved (not the engine's start-up or the encoder's close)
        List<Sample> running = samples.stream().filter(x -> x.frames() > 0 && x.frames() < SOAK_FRAMES).toList();
        assertTrue(running.size() >= 8, "enough samples (" + running.size() + ")");
        int q = running.size() / 4;
        List<Sample> first = running.subList(0, q);
        List<Sample> last = running.subList(running.size() - q, running.size());
        long firstHeap = first.stream().mapToLong(Sample::heapBytes).max().orElseThrow();
        long lastHeap = last.stream().mapToLong(Sample::heapBytes).max().orElseThrow();
        long firstRss = first.stream().mapToLong(Sample::rssKib).max().orElseThrow();
        long lastRss = last.stream().mapToLong(Sample::rssKib).max().orElseThrow();
        int maxDepth = samples.stream().mapToInt(x -> Math.max(x.framesDepth(), x.restoredDepth())).max().orElseThrow();
        System.out.printf("soak: %d frames of %dx%d in %.1f s (%.0f fps), %d samples; heap max first quarter %.1f MiB, last %.1f MiB;"
                        + " RSS max first quarter %.0f MiB, last %.0f MiB; max queue depth %d of %d%n",
                SOAK_FRAMES, SOAK_SIDE, SOAK_SIDE, wall, SOAK_FRAMES / wall, samples.size(), firstHeap / 1048576.0,
                lastHeap / 1048576.0, firstRss / 1024.0, lastRss / 1024.0, maxDepth, queue);
        assertTrue(maxDepth <= queue, "queue depth " + maxDepth + " within the bound " + queue);
        assertTrue(lastHeap <= firstHeap * 1.5 + 32L * 1048576,
                "heap flat: last quarter max " + lastHeap / 1048576 + " MiB vs first quarter " + firstHeap / 1048576 + " MiB");
        if (firstRss > 0) {
            assertTrue(lastRss <= firstRss + 256L * 1024,
                    "RSS flat: last quarter max " + lastRss / 1024 + " MiB vs first quarter " + firstRss / 1024 + " MiB");
        }
        // the output is complete: header + one FRAME record per frame
        long expectedBytes = (long) SOAK_FRAMES * ("FRAME\n".length() + 3L * SOAK_SIDE * SOAK_SIDE);
        assertTrue(Files.size(out) >= expectedBytes / 2, "output written");
        assertFalse(running.isEmpty());
    }
}
