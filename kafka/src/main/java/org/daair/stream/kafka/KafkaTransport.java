package org.daair.stream.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.daair.stream.common.Frame;
import org.daair.stream.common.FrameChannel;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.common.Transport;

/**
 * {@link Transport} over Kafka for the simple case: in each process, one sender and one receiver
 * per channel. {@code channel("frames")} is the Kafka topic {@code daair.frames} (the prefix is
 * configurable), so the {@code RestorePipeline} names map to {@link Topics}.
 *
 * <ul>
 *   <li>{@link FrameChannel#send} encodes the frame and hands it to a producer shared by all
 *       channels; it blocks while {@code maxInFlight} frames are unacknowledged (the backpressure
 *       of the in-process queue). A failed send is thrown by the next {@code send} or by
 *       {@link #close()}.</li>
 *   <li>{@link FrameChannel#poll} reads as member of group {@code <groupId>.<topic>}. Asking for
 *       the next frame commits the ones returned before, and {@link #close()} commits the last: a
 *       frame counts as processed once its receiver comes back for more. A receiver that holds
 *       frames across polls (a reorder buffer) can lose them in a crash; such stages use
 *       {@link FrameSubscriber} and commit explicitly.</li>
 *   <li>Records that cannot be decoded go to the dead-letter topic ({@code daair.dead-letter}) and
 *       are skipped.</li>
 *   <li>Each stream's colour tags and trace id: registered with {@link #describe(StreamInfo)}, or
 *       taken from the first frame of the stream this transport received, so a stage that reads
 *       {@code frames} and writes {@code restored} passes them on.</li>
 *   <li>Topics are created on first use with the frame limits and {@code partitions} partitions
 *       (default 1), because a broker's auto-created topics would keep its default 1 MB limit.</li>
 * </ul>
 */
public final class KafkaTransport implements Transport {

    private final KafkaFrames kafka;
    private final String topicPrefix;
    private final String groupId;
    private final PayloadEncoding defaultEncoding;
    private final Map<String, PayloadEncoding> encodings;
    private final int partitions;
    private final boolean createTopics;
    private final int maxInFlight;
    private final String deadLetterTopic;

    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final Map<String, FrameMeta> streamMeta = new ConcurrentHashMap<>();
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    private KafkaProducer<byte[], byte[]> producer;
    private boolean closed;

    private KafkaTransport(Builder b) {
        this.kafka = b.kafka;
        this.topicPrefix = b.topicPrefix;
        this.groupId = b.groupId;
        this.defaultEncoding = b.encoding;
        this.encodings = Map.copyOf(b.encodings);
        this.partitions = b.partitions;
        this.createTopics = b.createTopics;
        this.maxInFlight = b.maxInFlight;
        this.deadLetterTopic = b.deadLetter == null ? null : topicPrefix + b.deadLetter;
    }

    public static Builder builder(String bootstrapServers) {
        return new Builder(KafkaFrames.connect(bootstrapServers));
    }

    public static Builder builder(KafkaFrames kafka) {
        return new Builder(kafka);
    }

    /** The Kafka topic behind channel NAME. */
    public String topicFor(String name) {
        return topicPrefix + name;
    }

    /** Registers a stream's time base, colour tags and a fresh trace id for every channel. */
    public String describe(StreamInfo info) {
        String trace = java.util.UUID.randomUUID().toString();
        streamMeta.put(info.streamId(), FrameMeta.of(info, trace));
        return trace;
    }

    /** The channel for NAME; the first call creates its topic (and the dead-letter topic) if missing. */
    @Override
    public synchronized FrameChannel channel(String name) {
        Objects.requireNonNull(name, "name");
        if (closed) {
            throw new IllegalStateException("transport is closed");
        }
        Channel c = channels.get(name);
        if (c == null) {
            String topic = topicFor(name);
            if (createTopics) {
                try (Admin admin = kafka.admin()) {
                    Topics.ensure(admin, topic, partitions, kafka.limits());
                    if (deadLetterTopic != null) {
                        Topics.ensure(admin, deadLetterTopic, 1, kafka.limits());
                    }
                }
            }
            c = new Channel(topic, FrameCodec.of(encodings.getOrDefault(name, defaultEncoding)).withLimits(kafka.limits()));
            channels.put(name, c);
        }
        return c;
    }

    private synchronized KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = kafka.newProducer();
        }
        return producer;
    }

    /**
     * Waits for every frame sent, commits every frame received, closes the clients.
     *
     * @throws KafkaException if a send failed and was not reported by a later send
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        RuntimeException failure = null;
        for (Channel c : channels.values()) {
            try {
                c.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        synchronized (this) {
            if (producer != null) {
                producer.close();
            }
        }
        Exception sendError = sendFailure.getAndSet(null);
        if (failure == null && sendError != null) {
            failure = new KafkaException("a frame could not be sent: " + sendError.getMessage(), sendError);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void throwSendFailure() {
        Exception e = sendFailure.getAndSet(null);
        if (e != null) {
            throw new KafkaException("a frame could not be sent: " + e.getMessage(), e);
        }
    }

    /** One topic: a publisher on the shared producer, a subscriber created on the first poll. */
    private final class Channel implements FrameChannel {
        private final String topic;
        private final FrameCodec codec;
        private final Semaphore inFlight = new Semaphore(maxInFlight);
        private FramePublisher publisher;
        private FrameSubscriber subscriber;
        private boolean uncommitted;

        Channel(String topic, FrameCodec codec) {
            this.topic = topic;
            this.codec = codec;
        }

        @Override
        public void send(Frame frame) throws InterruptedException {
            throwSendFailure();
            FramePublisher p;
            synchronized (this) {
                if (publisher == null) {
                    publisher = new FramePublisher(producer(), false, topic, codec);
                }
                p = publisher;
            }
            FrameMeta meta = streamMeta.getOrDefault(frame.streamId(), FrameMeta.UNSPECIFIED);
            inFlight.acquire();
            try {
                p.sendAsync(frame, meta, (md, e) -> {
                    if (e != null) {
                        sendFailure.compareAndSet(null, e);
                    }
                    inFlight.release();
                });
            } catch (RuntimeException e) {
                inFlight.release();
                throw e;
            }
        }

        @Override
        public synchronized Frame poll(Duration timeout) throws InterruptedException {
            if (subscriber == null) {
                subscriber = new FrameSubscriber(kafka.newConsumer(groupId + "." + topic), topic, groupId + "." + topic,
                        FrameCodec.defaults().withLimits(kafka.limits()), kafka::newProducer)
                        .deadLetterTo(deadLetterTopic);
            }
            try {
                if (uncommitted) {
                    subscriber.commit(); // the caller is back for more: the frames it had are processed
                    uncommitted = false;
                }
                ReceivedFrame r = subscriber.next(timeout);
                if (r == null) {
                    return null;
                }
                uncommitted = true;
                streamMeta.putIfAbsent(r.frame().streamId(), r.meta());
                return r.frame();
            } catch (InterruptException e) {
                Thread.interrupted();
                InterruptedException ie = new InterruptedException("interrupted while polling " + topic);
                ie.initCause(e);
                throw ie;
            }
        }

        void close() {
            RuntimeException failure = null;
            synchronized (this) {
                if (publisher != null) {
                    publisher.flush();
                }
                if (subscriber != null) {
                    try {
                        if (uncommitted) {
                            subscriber.commit();
                        }
                    } catch (RuntimeException e) {
                        failure = e;
                    }
                    subscriber.close();
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** Settings of a {@link KafkaTransport}. */
    public static final class Builder {
        private KafkaFrames kafka;
        private String topicPrefix = "daair.";
        private String groupId = "daair";
        private PayloadEncoding encoding = PayloadEncoding.DEFAULT;
        private final Map<String, PayloadEncoding> encodings = new HashMap<>();
        private int partitions = 1;
        private boolean createTopics = true;
        private int maxInFlight = 8;
        private String deadLetter = "dead-letter";

        private Builder(KafkaFrames kafka) {
            this.kafka = Objects.requireNonNull(kafka, "kafka");
        }

        /** Prefix from channel name to topic, {@code daair.} by default ({@code ""} for none). */
        public Builder topicPrefix(String prefix) {
            this.topicPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** Consumer group base name ({@code daair}); each channel's group is {@code <groupId>.<topic>}. */
        public Builder groupId(String id) {
            this.groupId = Objects.requireNonNull(id, "id");
            return this;
        }

        /** Payload encoding of every channel ({@link PayloadEncoding#DEFAULT}, raw-f32, unless set). */
        public Builder encoding(PayloadEncoding e) {
            this.encoding = Objects.requireNonNull(e, "encoding");
            return this;
        }

        /** Payload encoding of one channel, e.g. {@code raw-u8} for {@code frames} from an 8-bit source. */
        public Builder encoding(String channel, PayloadEncoding e) {
            encodings.put(channel, Objects.requireNonNull(e, "encoding"));
            return this;
        }

        /** Partitions of topics this transport creates (1: one total order). */
        public Builder partitions(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("partitions must be >= 1");
            }
            this.partitions = n;
            return this;
        }

        /** Whether to create missing topics (default true). */
        public Builder createTopics(boolean create) {
            this.createTopics = create;
            return this;
        }

        /** Unacknowledged frames per channel before {@code send} blocks (default 8). */
        public Builder maxInFlight(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxInFlight must be >= 1");
            }
            this.maxInFlight = n;
            return this;
        }

        /** Dead-letter channel name ({@code dead-letter}; the prefix is added), or null to throw instead. */
        public Builder deadLetter(String channelName) {
            this.deadLetter = channelName;
            return this;
        }

        /** Limits of clients and created topics; the broker must allow them. */
        public Builder limits(KafkaLimits limits) {
            this.kafka = kafka.withLimits(limits);
            return this;
        }

        public KafkaTransport build() {
            return new KafkaTransport(this);
        }
    }
}
