package org.daair.stream.cli.distributed;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.daair.stream.common.Frame;
import org.daair.stream.engine.Batcher;
import org.daair.stream.engine.FrameRestorer;
import org.daair.stream.kafka.FrameCodec;
import org.daair.stream.kafka.FramePublisher;
import org.daair.stream.kafka.FrameSubscriber;
import org.daair.stream.kafka.KafkaFrames;
import org.daair.stream.kafka.PayloadEncoding;
import org.daair.stream.kafka.ReceivedFrame;
import org.daair.stream.kafka.Topics;

/**
 * A worker of the pool: consumes the frames of all streams (one consumer group; a stream's frames
 * share a partition, so one worker sees them in order), routes and batches them across streams
 * with the same engine as the in-process mode, and publishes the restored frames.
 *
 * <p>At-least-once: a partition's offset is committed only up to the oldest frame of that
 * partition that is not yet restored and acknowledged, so a worker that stops or loses a partition
 * mid-stream leaves its unfinished frames to the next owner. The sink drops the repeats.
 */
public final class KafkaWorker implements Runnable {

    public static final String GROUP = "daair-workers";

    private final KafkaFrames kafka;
    private final FrameRestorer engine;
    private final Batcher batcher;
    private final String group;
    private final PayloadEncoding encoding;
    private volatile boolean stop;
    private volatile Throwable failure;
    private final AtomicLong restored = new AtomicLong();
    private final java.util.Set<String> onlyStreams;

    /** Offsets per partition: those taken but not yet restored, and the highest taken. */
    private final Map<TopicPartition, TreeSet<Long>> pending = new HashMap<>();
    private final Map<TopicPartition, Long> highest = new HashMap<>();
    /** Where each waiting frame came from (stream, seq) -> its record. */
    private final Map<String, ReceivedFrame> origin = new HashMap<>();

    public KafkaWorker(KafkaFrames kafka, FrameRestorer engine, Batcher batcher, String group, PayloadEncoding encoding) {
        this(kafka, engine, batcher, group, encoding, null);
    }

    /**
     * @param onlyStreams restore only these streams (others are passed over and committed), or
     *                    null for all: a self-contained run shares the topic with other users
     */
    public KafkaWorker(KafkaFrames kafka, FrameRestorer engine, Batcher batcher, String group, PayloadEncoding encoding,
                       java.util.Set<String> onlyStreams) {
        this.onlyStreams = onlyStreams;
        this.kafka = kafka;
        this.engine = engine;
        this.batcher = batcher;
        this.group = group;
        this.encoding = encoding;
    }

    /** Asks the worker to stop after the current poll; unfinished frames are left uncommitted. */
    public void stop() {
        stop = true;
    }

    public Throwable failure() {
        return failure;
    }

    public long restoredFrames() {
        return restored.get();
    }

    private static String id(Frame f) {
        return f.streamId() + "#" + f.seq();
    }

    @Override
    public void run() {
        try (FrameSubscriber in = kafka.subscriber(Topics.FRAMES, group).deadLetterTo(Topics.DEAD_LETTER);
             FramePublisher out = kafka.publisher(Topics.RESTORED, FrameCodec.of(encoding))) {
            while (!stop && !Thread.currentThread().isInterrupted()) {
                long wait = batcher.nanosUntilDue(System.nanoTime());
                List<ReceivedFrame> got = in.poll(wait < 0 ? Duration.ofMillis(200) : Duration.ofNanos(Math.max(wait, 1_000_000)));
                for (ReceivedFrame rf : got) {
                    if (onlyStreams != null && !onlyStreams.contains(rf.frame().streamId())) {
                        continue; // handed out by the subscriber, so committed with the next commit
                    }
                    TopicPartition tp = new TopicPartition(rf.topic(), rf.partition());
                    pending.computeIfAbsent(tp, k -> new TreeSet<>()).add(rf.offset());
                    highest.merge(tp, rf.offset(), Math::max);
                    Frame f = rf.frame();
                    if (f.isEndOfStream()) {
                        // everything of this stream that waits goes first, then its end
                        for (Batcher.Batch b : batcher.drain()) {
                            emit(b, out);
                        }
                        out.send(f, rf.meta());
                        done(rf);
                        engine.forgetStream(f.streamId());
                        continue;
                    }
                    origin.put(id(f), rf);
                    Batcher.Batch full = batcher.add(f.withRoute(engine.route(f)), System.nanoTime());
                    if (full != null) {
                        emit(full, out);
                    }
                }
                for (Batcher.Batch b : batcher.due(System.nanoTime())) {
                    emit(b, out);
                }
                commit(in);
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void emit(Batcher.Batch b, FramePublisher out) {
        List<Frame> result = engine.restore(b.route(), b.frames());
        for (Frame r : result) {
            out.sendAsync(r, origin.get(id(r)).meta(), null);
        }
        out.flush(); // acknowledged before the inputs count as done
        for (Frame r : result) {
            done(origin.remove(id(r)));
        }
        restored.addAndGet(result.size());
    }

    private void done(ReceivedFrame rf) {
        TreeSet<Long> s = pending.get(new TopicPartition(rf.topic(), rf.partition()));
        if (s != null) {
            s.remove(rf.offset());
        }
    }

    private void commit(FrameSubscriber in) {
        var owned = in.assignment();
        for (Map.Entry<TopicPartition, TreeSet<Long>> e : pending.entrySet()) {
            TopicPartition tp = e.getKey();
            if (!owned.contains(tp)) {
                continue; // lost in a rebalance: the new owner starts from the last commit
            }
            long upTo = e.getValue().isEmpty() ? highest.get(tp) : e.getValue().first() - 1;
            if (upTo >= 0) {
                in.commit(new ReceivedFrame(null, null, null, tp.topic(), tp.partition(), upTo));
            }
        }
    }
}
