package org.daair.stream.cli.distributed;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import org.apache.kafka.common.KafkaException;
import org.daair.stream.common.Frame;
import org.daair.stream.common.ReorderBuffer;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.kafka.FrameSubscriber;
import org.daair.stream.kafka.KafkaFrames;
import org.daair.stream.kafka.ReceivedFrame;
import org.daair.stream.kafka.Topics;
import org.daair.stream.sink.FrameSink;
import org.daair.stream.sink.SinkOptions;
import org.daair.stream.sink.Sinks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one stream's restored frames, drops repeats (at-least-once delivery), puts them back in
 * order and encodes them. The output is committed (renamed into place) only when every frame up
 * to the end-of-stream marker's count has been written.
 */
public final class KafkaSinkStage {

    /** What the sink did: frames written, repeats dropped, and (live mode) originals emitted
     * because their restored frame missed the deadline. */
    public record Result(long written, long duplicates, long deadlineMisses) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSinkStage.class);

    private KafkaSinkStage() {
    }

    public static Result run(KafkaFrames kafka, String streamId, String output, SinkOptions opts,
                             Duration idleTimeout, LongConsumer progress) throws IOException {
        return run(kafka, streamId, output, opts, idleTimeout, null, progress);
    }

    /**
     * @param liveDeadline null in file mode (wait for every restored frame); in live mode, a frame
     *                     whose restored version has not arrived this long after its original was
     *                     published is written as the original, so the output never stalls behind
     *                     slow workers (the restored one is then dropped as a repeat)
     */
    public static Result run(KafkaFrames kafka, String streamId, String output, SinkOptions opts,
                             Duration idleTimeout, Duration liveDeadline, LongConsumer progress) throws IOException {
        return run(kafka, streamId, output, opts, idleTimeout, liveDeadline, progress, null);
    }

    /**
     * @param onWritten called after each frame is written, with true for an original written at the
     *                  live deadline (may be null): the benchmark's end-to-end latency
     */
    public static Result run(KafkaFrames kafka, String streamId, String output, SinkOptions opts,
                             Duration idleTimeout, Duration liveDeadline, LongConsumer progress,
                             BiConsumer<Frame, Boolean> onWritten) throws IOException {
        return run(kafka, streamId, output, opts, idleTimeout, liveDeadline, progress, onWritten, null);
    }

    /**
     * @param beforeWrite applied to each frame, in order, just before it is written (the temporal
     *                    stabiliser), or null
     */
    public static Result run(KafkaFrames kafka, String streamId, String output, SinkOptions opts,
                             Duration idleTimeout, Duration liveDeadline, LongConsumer progress,
                             BiConsumer<Frame, Boolean> onWritten, java.util.function.UnaryOperator<Frame> beforeWrite)
            throws IOException {
        BiConsumer<Frame, Boolean> told = onWritten != null ? onWritten : (f, original) -> { };
        java.util.function.UnaryOperator<Frame> filter = beforeWrite != null ? beforeWrite : f -> f;
        if (liveDeadline != null) {
            return runLive(kafka, streamId, output, opts, idleTimeout, liveDeadline, progress, told, filter);
        }
        StreamInfo info = StreamDirectory.lookup(kafka, streamId, idleTimeout);
        long written = 0;
        long duplicates = 0;
        long expected = -1;
        try (FrameSubscriber in = kafka.subscriber(Topics.RESTORED, "daair-sink-" + streamId).onlyStream(streamId);
             FrameSink sink = Sinks.open(output, info, opts)) {
            ReorderBuffer order = new ReorderBuffer(0);
            long lastNews = System.nanoTime();
            Transient retry = new Transient(LOG, "sink: fetching restored frames of " + streamId);
            while (expected < 0 || written < expected) {
                List<ReceivedFrame> got = poll(in, Duration.ofMillis(200), retry);
                if (got.isEmpty()) {
                    if (System.nanoTime() - lastNews > idleTimeout.toNanos()) {
                        throw new IOException("no restored frames of stream '" + streamId + "' for " + idleTimeout.toSeconds()
                                + " s (is a worker running? './daair worker --bootstrap " + kafka.bootstrapServers() + "')");
                    }
                    continue;
                }
                lastNews = System.nanoTime();
                for (ReceivedFrame rf : got) {
                    Frame f = rf.frame();
                    if (f.isEndOfStream()) {
                        expected = f.seq();
                        continue;
                    }
                    if (order.isDuplicate(f)) {
                        duplicates++;
                        continue;
                    }
                    for (Frame ready : order.add(f)) {
                        Frame r = filter.apply(ready);
                        sink.write(r);
                        written++;
                        told.accept(r, false);
                    }
                    if (progress != null) {
                        progress.accept(written);
                    }
                }
            }
            if (order.waiting() > 0) {
                throw new IOException("stream '" + streamId + "' ended with " + order.waiting() + " frames after a gap");
            }
            sink.finish();
            commitQuietly(in, streamId);
        }
        return new Result(written, duplicates, 0);
    }

    private static Result runLive(KafkaFrames kafka, String streamId, String output, SinkOptions opts,
                                  Duration idleTimeout, Duration deadline, LongConsumer progress,
                                  BiConsumer<Frame, Boolean> told, java.util.function.UnaryOperator<Frame> filter) throws IOException {
        StreamInfo info = StreamDirectory.lookup(kafka, streamId, idleTimeout);
        long written = 0;
        long duplicates = 0;
        long misses = 0;
        long expected = -1;
        java.util.TreeMap<Long, Frame> originals = new java.util.TreeMap<>();
        java.util.TreeMap<Long, Long> arrived = new java.util.TreeMap<>();
        try (FrameSubscriber restored = kafka.subscriber(Topics.RESTORED, "daair-sink-" + streamId).onlyStream(streamId);
             FrameSubscriber source = kafka.subscriber(Topics.FRAMES, "daair-sink-originals-" + streamId).onlyStream(streamId);
             FrameSink sink = Sinks.open(output, info, opts)) {
            ReorderBuffer order = new ReorderBuffer(0);
            long lastNews = System.nanoTime();
            Transient retry = new Transient(LOG, "sink: fetching frames of " + streamId);
            while (expected < 0 || written < expected) {
                boolean news = false;
                for (ReceivedFrame rf : poll(source, Duration.ofMillis(10), retry)) {
                    news = true;
                    Frame f = rf.frame();
                    if (f.isEndOfStream()) {
                        expected = f.seq();
                    } else if (f.seq() >= order.nextExpected()) {
                        originals.put(f.seq(), f);
                        arrived.put(f.seq(), System.nanoTime());
                    }
                }
                for (ReceivedFrame rf : poll(restored, Duration.ofMillis(10), retry)) {
                    news = true;
                    Frame f = rf.frame();
                    if (f.isEndOfStream()) {
                        expected = f.seq();
                    } else if (order.isDuplicate(f)) {
                        duplicates++;
                    } else {
                        for (Frame ready : order.add(f)) {
                            Frame r = filter.apply(ready);
                            sink.write(r);
                            written++;
                            told.accept(r, false);
                        }
                    }
                }
                // the next frame is late: write its original rather than stall the stream
                long now = System.nanoTime();
                Frame next;
                while ((next = originals.get(order.nextExpected())) != null
                        && now - arrived.get(next.seq()) > deadline.toNanos()) {
                    misses++;
                    for (Frame ready : order.add(next)) {
                        boolean original = ready == next;
                        Frame r = filter.apply(ready);
                        sink.write(r);
                        written++;
                        told.accept(r, original);
                    }
                }
                originals.headMap(order.nextExpected()).clear();
                arrived.headMap(order.nextExpected()).clear();
                if (news) {
                    lastNews = now;
                    if (progress != null) {
                        progress.accept(written);
                    }
                } else if (now - lastNews > idleTimeout.toNanos()) {
                    throw new IOException("no frames of stream '" + streamId + "' for " + idleTimeout.toSeconds() + " s");
                }
            }
            sink.finish();
            commitQuietly(restored, streamId);
            commitQuietly(source, streamId);
        }
        return new Result(written, duplicates, misses);
    }

    /** A poll that waits out transient broker errors (with backoff) and then returns nothing. */
    private static List<ReceivedFrame> poll(FrameSubscriber in, Duration timeout, Transient retry) throws IOException {
        try {
            List<ReceivedFrame> got = in.poll(timeout);
            retry.succeeded();
            return got;
        } catch (KafkaException e) {
            try {
                retry.failed(e);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", ie);
            }
            return List.of();
        }
    }

    /** The output is complete and in place: a commit that fails now only means a rerun reads the stream again. */
    private static void commitQuietly(FrameSubscriber in, String streamId) {
        try {
            in.commit();
        } catch (KafkaException e) {
            LOG.warn("sink: stream '{}' is complete, but committing its position failed: {}", streamId, e.toString());
        }
    }
}
