package org.daair.stream.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Reads frames from one topic as a member of a consumer group, with explicit commits: a frame
 * returned by {@link #next} is not committed until {@link #commit()} (or {@link #commit(ReceivedFrame)})
 * is called, so a stage that crashes before committing gets its frames again (at-least-once).
 * Consumers must therefore tolerate a repeated {@code (streamId, seq)} after a crash or rebalance.
 *
 * <p>Not thread-safe, like the Kafka consumer it wraps: use it from one thread.
 *
 * <p>Options, set before the first {@link #next}: {@link #onlyStream} keeps one stream (the key is
 * compared before anything is decoded; other streams' records are skipped and count as handled),
 * {@link #deadLetterTo} diverts records that fail to decode instead of throwing.
 */
public final class FrameSubscriber implements AutoCloseable {

    private static final int MAX_ERROR_CHARS = 1000;

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final String groupId;
    private final FrameCodec codec;
    private final Supplier<? extends Producer<byte[], byte[]>> producerFactory;

    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = new ArrayDeque<>();
    /** Per partition: the offset after the last record handed out, skipped or dead-lettered. */
    private final Map<TopicPartition, Long> handled = new HashMap<>();
    /** Per partition: the last committed offset, so a commit never moves a partition backwards. */
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    private byte[] onlyKey;
    private String deadLetterTopic;
    private Producer<byte[], byte[]> deadLetterProducer;
    private boolean subscribed;
    /** A decode error met by {@link #poll} after it had frames to return: thrown by the next call. */
    private FrameFormatException pendingError;
    private long skipped;
    private long deadLettered;

    FrameSubscriber(Consumer<byte[], byte[]> consumer, String topic, String groupId, FrameCodec codec,
                    Supplier<? extends Producer<byte[], byte[]>> producerFactory) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.groupId = groupId;
        this.codec = Objects.requireNonNull(codec, "codec");
        this.producerFactory = producerFactory;
    }

    /**
     * Keeps only the frames of STREAM_ID. The whole topic is still fetched (the stream's partition
     * is not computed here, so a custom partitioner or a change in partition count cannot make
     * frames disappear); records of other streams are dropped by key, undecoded.
     */
    public FrameSubscriber onlyStream(String streamId) {
        checkNotStarted();
        this.onlyKey = streamId == null ? null : streamId.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    /**
     * Sends records that fail to decode ({@link FrameFormatException}) to DEAD_LETTER_TOPIC,
     * unchanged, with {@code daair.error}, {@code daair.error.class} and {@code daair.source.*}
     * headers added, and goes on with the next record. The dead-letter send is awaited before the
     * bad record counts as handled, so a commit never skips a record that is not in the
     * dead-letter topic. Without this option {@link #next} throws the exception.
     */
    public FrameSubscriber deadLetterTo(String deadLetterTopic) {
        checkNotStarted();
        if (deadLetterTopic != null && producerFactory == null) {
            throw new IllegalStateException("this subscriber has no producer for a dead-letter topic");
        }
        this.deadLetterTopic = deadLetterTopic;
        return this;
    }

    public String topic() {
        return topic;
    }

    public String groupId() {
        return groupId;
    }

    /** Records of other streams dropped by {@link #onlyStream}. */
    public long skipped() {
        return skipped;
    }

    /** Records sent to the dead-letter topic. */
    public long deadLettered() {
        return deadLettered;
    }

    /** The partitions this member holds now (empty before the first poll). */
    /**
     * How many records this consumer is behind, at most over its partitions (Kafka's
     * {@code records-lag-max}, over the last fetches); 0 before the first fetch. Call it from the
     * thread that polls, like every other method here.
     */
    public double recordsLagMax() {
        for (var e : consumer.metrics().entrySet()) {
            if (e.getKey().name().equals("records-lag-max") && e.getKey().group().equals("consumer-fetch-manager-metrics")
                    && !e.getKey().tags().containsKey("topic")) {
                Object v = e.getValue().metricValue();
                if (v instanceof Number num && !Double.isNaN(num.doubleValue()) && !Double.isInfinite(num.doubleValue())) {
                    return num.doubleValue();
                }
            }
        }
        return 0;
    }

    public Set<TopicPartition> assignment() {
        return consumer.assignment();
    }

    /**
     * The next frame, or null if none arrived within TIMEOUT. The first call joins the group,
     * which can take a few seconds.
     *
     * @throws FrameFormatException if a record cannot be decoded and no dead-letter topic is set;
     *                              the record counts as handled, so the next call goes on after it
     * @throws KafkaException       on client errors, including a failed dead-letter send (the bad
     *                              record is then retried by the next call)
     */
    public ReceivedFrame next(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (pendingError != null) {
            FrameFormatException e = pendingError;
            pendingError = null;
            throw e;
        }
        subscribeOnce();
        boolean polled = false;
        while (true) {
            while (!buffer.isEmpty()) {
                ReceivedFrame f = handle(buffer.peekFirst());
                if (f != null) {
                    return f;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 && polled) {
                return null;
            }
            // at least one poll, so that next(Duration.ZERO) still fetches
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofNanos(Math.max(0, left)))) {
                buffer.addLast(r);
            }
            polled = true;
        }
    }

    /**
     * Every frame available now, waiting up to TIMEOUT for the first one; empty if none came. A
     * malformed record without a dead-letter topic ends the list early (the frames before it are
     * returned, the exception comes with the next call).
     */
    public List<ReceivedFrame> poll(Duration timeout) {
        List<ReceivedFrame> out = new ArrayList<>();
        ReceivedFrame first = next(timeout);
        if (first == null) {
            return out;
        }
        out.add(first);
        try {
            while (!buffer.isEmpty()) {
                ReceivedFrame f = handle(buffer.peekFirst());
                if (f != null) {
                    out.add(f);
                }
            }
        } catch (FrameFormatException e) {
            // the bad record is already handled; the caller gets the frames so far now and the error next time
            pendingError = e;
        }
        return out;
    }

    /** Handles the record at the head of the buffer; returns a frame, or null if it was skipped or dead-lettered. */
    private ReceivedFrame handle(ConsumerRecord<byte[], byte[]> r) {
        if (onlyKey != null && !Arrays.equals(onlyKey, r.key())) {
            buffer.removeFirst();
            markHandled(r);
            skipped++;
            return null;
        }
        try {
            ReceivedFrame f = codec.decode(r);
            buffer.removeFirst();
            markHandled(r);
            return f;
        } catch (FrameFormatException e) {
            if (deadLetterTopic == null) {
                buffer.removeFirst();
                markHandled(r);
                throw e;
            }
            sendToDeadLetter(r, e); // throws, leaving the record at the head, if the send fails
            buffer.removeFirst();
            markHandled(r);
            deadLettered++;
            return null;
        }
    }

    private void sendToDeadLetter(ConsumerRecord<byte[], byte[]> r, FrameFormatException e) {
        if (deadLetterProducer == null) {
            deadLetterProducer = producerFactory.get();
        }
        RecordHeaders headers = new RecordHeaders(r.headers().toArray());
        String reason = e.reason();
        if (reason.length() > MAX_ERROR_CHARS) {
            reason = reason.substring(0, MAX_ERROR_CHARS);
        }
        headers.add(FrameHeaders.ERROR, utf8(reason));
        headers.add(FrameHeaders.ERROR_CLASS, utf8(e.getClass().getName()));
        headers.add(FrameHeaders.SOURCE_TOPIC, utf8(r.topic()));
        headers.add(FrameHeaders.SOURCE_PARTITION, utf8(Integer.toString(r.partition())));
        headers.add(FrameHeaders.SOURCE_OFFSET, utf8(Long.toString(r.offset())));
        // same key, so a stream's bad records stay in order in the dead-letter topic too
        ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(deadLetterTopic, null, r.key(), r.value(), headers);
        try {
            FramePublisher.await(deadLetterProducer.send(dead));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(ie);
        }
    }

    private void markHandled(ConsumerRecord<byte[], byte[]> r) {
        handled.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
    }

    /**
     * Commits every record handed out, skipped or dead-lettered so far, synchronously. Call it
     * after the frames are processed (their results sent and acknowledged).
     */
    public void commit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Set<TopicPartition> owned = consumer.assignment();
        for (Map.Entry<TopicPartition, Long> e : handled.entrySet()) {
            if (owned.contains(e.getKey()) && e.getValue() > committed.getOrDefault(e.getKey(), -1L)) {
                offsets.put(e.getKey(), new OffsetAndMetadata(e.getValue()));
            }
        }
        commit(offsets);
    }

    /** Commits FRAME's partition up to and including FRAME (never backwards). */
    public void commit(ReceivedFrame frame) {
        if (frame.topic() == null || frame.offset() < 0) {
            throw new IllegalArgumentException("frame has no record position: " + frame.frame());
        }
        TopicPartition tp = new TopicPartition(frame.topic(), frame.partition());
        long next = frame.offset() + 1;
        if (next > committed.getOrDefault(tp, -1L)) {
            commit(Map.of(tp, new OffsetAndMetadata(next)));
        }
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (offsets.isEmpty()) {
            return;
        }
        consumer.commitSync(offsets);
        offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
    }

    /** Leaves the group without committing: what was not committed is delivered again. */
    @Override
    public void close() {
        try {
            consumer.close();
        } finally {
            if (deadLetterProducer != null) {
                deadLetterProducer.close();
            }
        }
    }

    private void subscribeOnce() {
        if (subscribed) {
            return;
        }
        subscribed = true;
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                forget(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                forget(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            }
        });
    }

    /**
     * A partition that moves to another member takes its uncommitted frames with it: drop what is
     * buffered and what was handled but not committed; the new owner starts at the last commit.
     */
    private void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            handled.remove(tp);
            committed.remove(tp);
        }
        for (Iterator<ConsumerRecord<byte[], byte[]>> it = buffer.iterator(); it.hasNext(); ) {
            ConsumerRecord<byte[], byte[]> r = it.next();
            if (partitions.contains(new TopicPartition(r.topic(), r.partition()))) {
                it.remove();
            }
        }
    }

    private void checkNotStarted() {
        if (subscribed) {
            throw new IllegalStateException("set options before the first next()/poll()");
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
