package org.daair.stream.cli.distributed;

import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.daair.stream.engine.Batcher;
import org.daair.stream.engine.RestoreEngine;
import org.daair.stream.ingest.FrameSource;
import org.daair.stream.ingest.Sources;
import org.daair.stream.kafka.KafkaFrames;
import org.daair.stream.kafka.PayloadEncoding;
import org.daair.stream.kafka.Topics;
import org.daair.stream.sink.SinkOptions;

/**
 * The distributed topology, built in one place for the commands and the tests: ingest publishes
 * to daair.frames, workers (one consumer group) restore into daair.restored, a sink per stream
 * encodes. {@link #restore} runs all three in one process against a broker.
 */
public final class KafkaPipeline {

    /** Partitions of the frame topics: the most workers that can share the streams. */
    public static final int PARTITIONS = 4;

    private KafkaPipeline() {
    }

    public static void ensureTopics(KafkaFrames kafka) {
        try (var admin = kafka.admin()) {
            Topics.ensure(admin, Topics.FRAMES, PARTITIONS, kafka.limits());
            Topics.ensure(admin, Topics.RESTORED, PARTITIONS, kafka.limits());
            Topics.ensure(admin, Topics.DEAD_LETTER, 1, kafka.limits());
        }
        StreamDirectory.ensureTopic(kafka);
    }

    public static Batcher batcher(org.daair.stream.config.Settings s) {
        return new Batcher(s.getInt("engine.max_batch"), s.getInt("engine.max_wait_ms"));
    }

    /**
     * Ingest, one worker and the sink in this process, through the broker at kafka.
     *
     * @return frames written
     */
    public static KafkaSinkStage.Result restore(KafkaFrames kafka, String input, String output, RestoreEngine engine,
                                                Batcher batcher, SinkOptions opts, PayloadEncoding encoding,
                                                LongConsumer progress) throws IOException, InterruptedException {
        return restore(kafka, input, output, engine, batcher, opts, encoding, null, progress);
    }

    /** @param liveDeadline null for file mode; else the sink's deadline for late frames (live sources) */
    public static KafkaSinkStage.Result restore(KafkaFrames kafka, String input, String output, RestoreEngine engine,
                                                Batcher batcher, SinkOptions opts, PayloadEncoding encoding,
                                                Duration liveDeadline, LongConsumer progress) throws IOException, InterruptedException {
        String streamId = "restore-" + UUID.randomUUID();
        try (FrameSource source = Sources.open(input, streamId)) {
            return restore(kafka, source, output, engine, batcher, opts, encoding, liveDeadline, progress, null);
        }
    }

    /**
     * As above, from a source that is already open (its stream id names the stream on the topics;
     * it must be unique on the broker).
     *
     * @param onWritten called by the sink after each frame is written, true for an original written
     *                  at the live deadline (may be null)
     */
    public static KafkaSinkStage.Result restore(KafkaFrames kafka, FrameSource source, String output, RestoreEngine engine,
                                                Batcher batcher, SinkOptions opts, PayloadEncoding encoding,
                                                Duration liveDeadline, LongConsumer progress,
                                                java.util.function.BiConsumer<org.daair.stream.common.Frame, Boolean> onWritten)
            throws IOException, InterruptedException {
        ensureTopics(kafka);
        String streamId = source.info().streamId();
        AtomicReference<Throwable> ingestError = new AtomicReference<>();
        Thread ingest = new Thread(() -> {
            try {
                KafkaIngestStage.run(kafka, source, encoding);
            } catch (Throwable e) {
                ingestError.set(e);
            }
        }, "daair-kafka-ingest");
        // a group of its own, restoring only this run's stream: the broker may serve other users
        KafkaWorker worker = new KafkaWorker(kafka, engine, batcher, "daair-" + streamId, encoding, java.util.Set.of(streamId));
        Thread workerThread = new Thread(worker, "daair-kafka-worker");
        ingest.setDaemon(true);
        workerThread.setDaemon(true);
        ingest.start();
        workerThread.start();
        try {
            // the worker is in this process: one batch of large tiled frames on a busy CPU can take minutes
            return KafkaSinkStage.run(kafka, streamId, output, opts, Duration.ofMinutes(5), liveDeadline, progress, onWritten);
        } catch (IOException e) {
            Throwable cause = ingestError.get() != null ? ingestError.get() : worker.failure();
            if (cause != null) {
                throw new IOException(cause.getMessage(), cause);
            }
            throw e;
        } finally {
            worker.stop();
            workerThread.join(); // the engine must not be closed while the worker still runs it
            ingest.interrupt();
            ingest.join(10_000); // the caller closes the source
        }
    }
}
