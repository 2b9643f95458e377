package org.daair.stream.cli.distributed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.daair.stream.common.Frame;
import org.daair.stream.engine.Batcher;
import org.daair.stream.engine.FrameRestorer;
import org.daair.stream.kafka.FrameCodec;
import org.daair.stream.kafka.FrameMeta;
import org.daair.stream.kafka.FramePublisher;
import org.daair.stream.kafka.FrameSubscriber;
import org.daair.stream.kafka.KafkaFrames;
import org.daair.stream.kafka.PayloadEncoding;
import org.daair.stream.kafka.ReceivedFrame;
import org.daair.stream.kafka.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker of the pool: consumes the frames of all streams (one consumer group; a stream's frames
 * share a partition, so one worker sees them in order), routes and batches them across streams
 * with the same engine as the in-process mode, and publishes the restored frames.
 *
 * <p>At-least-once: a partition's offset is committed only up to the oldest frame of that
 * partition that is not yet restored and acknowledged, so a worker that stops or loses a partition
 * mid-stream leaves its unfinished frames to the next owner. The sink drops the repeats.
 *
 * <p>Transient broker errors (a restart, a leader move, a rebalance during a commit) do not stop
 * the worker: fetches, sends and commits are retried with backoff ({@link Transient}), and a frame
 * counts as done only once the broker has acknowledged its restored version.
 */
public final class KafkaWorker implements Runnable {

    public static final String GROUP = "daair-workers";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaWorker.class);

    private final KafkaFrames kafka;
    private final FrameRestorer engine;
    private final Batcher batcher;
    private final String group;
    private final PayloadEncoding encoding;
    private volatile boolean stop;
    private volatile Throwable failure;
    private final AtomicLong restored = new AtomicLong();
    private final java.util.Set<String> onlyStreams;
    private final Transient pollRetry = new Transient(LOG, "worker: fetching frames");
    private final Transient sendRetry = new Transient(LOG, "worker: publishing restored frames");
    private final Transient commitRetry = new Transient(LOG, "worker: committing offsets");

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

    private volatile org.daair.stream.cli.metrics.PipelineMetrics metrics;
    private volatile double lag;

    /** Counts frames in and out and samples the consumer lag into METRICS (wrap the engine in a MeteredRestorer for the rest). */
    public KafkaWorker metrics(org.daair.stream.cli.metrics.PipelineMetrics m) {
        this.metrics = m;
        if (m != null) {
            m.watchConsumerLag(() -> lag);
        }
        return this;
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
                List<ReceivedFrame> got;
                try {
                    got = in.poll(wait < 0 ? Duration.ofMillis(200) : Duration.ofNanos(Math.max(wait, 1_000_000)));
                    pollRetry.succeeded();
                    if (metrics != null) {
                        lag = in.recordsLagMax();
                    }
                } catch (KafkaException e) {
                    pollRetry.failed(e); // transient (broker restarting): back off and poll again
                    continue;
                }
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
                        if (!deliver(out, f, rf.meta(), null)) {
                            return; // stopped while the broker was away: the end stays uncommitted
                        }
                        done(rf);
                        engine.forgetStream(f.streamId());
                        continue;
                    }
                    origin.put(id(f), rf);
                    if (metrics != null) {
                        metrics.frameIn(f.streamId());
                    }
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

    private void emit(Batcher.Batch b, FramePublisher out) throws InterruptedException {
        List<Frame> result = engine.restore(b.route(), b.frames());
        List<Future<RecordMetadata>> sent = new ArrayList<>(result.size());
        for (Frame r : result) {
            Future<RecordMetadata> f = null;
            try {
                f = out.sendAsync(r, origin.get(id(r)).meta(), null);
            } catch (KafkaException e) {
                if (!Transient.is(e)) {
                    throw e;
                }
                // null: deliver() sends it again
            }
            sent.add(f);
        }
        out.flush(); // acknowledged before the inputs count as done
        for (int i = 0; i < result.size(); i++) {
            Frame r = result.get(i);
            if (!deliver(out, r, origin.get(id(r)).meta(), sent.get(i))) {
                return; // stopped while the broker was away: these frames stay uncommitted
            }
            done(origin.remove(id(r)));
            restored.incrementAndGet();
            if (metrics != null) {
                metrics.frameOut(r.streamId());
            }
        }
    }

    /**
     * Waits for SENT (or sends F if SENT is null) and sends F again, with backoff, while the
     * broker is away: a frame counts as done only once the broker has it. A send that fails for
     * another reason (the frame is too large, the topic is gone) stops the worker.
     *
     * @return false if the worker was asked to stop before the frame was delivered
     */
    private boolean deliver(FramePublisher out, Frame f, FrameMeta meta, Future<RecordMetadata> sent) throws InterruptedException {
        Future<RecordMetadata> attempt = sent;
        while (true) {
            try {
                if (attempt == null) {
                    attempt = out.sendAsync(f, meta, null);
                }
                attempt.get();
                sendRetry.succeeded();
                return true;
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                sendRetry.expired(c instanceof RuntimeException re ? re : new KafkaException(c));
            } catch (KafkaException e) {
                sendRetry.failed(e);
            }
            if (stop) {
                return false;
            }
            attempt = null;
        }
    }

    private void done(ReceivedFrame rf) {
        TreeSet<Long> s = pending.get(new TopicPartition(rf.topic(), rf.partition()));
        if (s != null) {
            s.remove(rf.offset());
        }
    }

    private void commit(FrameSubscriber in) throws InterruptedException {
        var owned = in.assignment();
        for (Map.Entry<TopicPartition, TreeSet<Long>> e : pending.entrySet()) {
            TopicPartition tp = e.getKey();
            if (!owned.contains(tp)) {
                continue; // lost in a rebalance: the new owner starts from the last commit
            }
            long upTo = e.getValue().isEmpty() ? highest.get(tp) : e.getValue().first() - 1;
            if (upTo >= 0) {
                try {
                    in.commit(new ReceivedFrame(null, null, null, tp.topic(), tp.partition(), upTo));
                    commitRetry.succeeded();
                } catch (KafkaException ex) {
                    // broker away, or the partition moved in a rebalance: the next loop commits
                    // again (or the new owner repeats these frames, which the sink drops)
                    commitRetry.failed(ex);
                    return;
                }
            }
        }
    }
}
