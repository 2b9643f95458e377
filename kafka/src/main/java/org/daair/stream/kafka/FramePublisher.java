package org.daair.stream.kafka;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;

/**
 * Writes frames to one topic. Thread-safe (the Kafka producer is); frames of one stream must be
 * sent from one thread, in order, for the topic to hold them in order.
 *
 * <p>Each stream's time base, colour tags and trace id are registered once with {@link #describe}
 * and then written into every record of that stream; {@link #send(Frame, FrameMeta)} overrides
 * them per frame (a restoring stage passes on the {@link ReceivedFrame#meta()} it received).
 */
public final class FramePublisher implements AutoCloseable {

    private final Producer<byte[], byte[]> producer;
    private final boolean ownsProducer;
    private final String topic;
    private final FrameCodec codec;
    private final Map<String, FrameMeta> streams = new ConcurrentHashMap<>();

    FramePublisher(Producer<byte[], byte[]> producer, boolean ownsProducer, String topic, FrameCodec codec) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.ownsProducer = ownsProducer;
        this.topic = Objects.requireNonNull(topic, "topic");
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    public String topic() {
        return topic;
    }

    public FrameCodec codec() {
        return codec;
    }

    /** Registers META for the frames of STREAM_ID that are sent without explicit meta. */
    public FramePublisher describe(String streamId, FrameMeta meta) {
        streams.put(Objects.requireNonNull(streamId, "streamId"), Objects.requireNonNull(meta, "meta"));
        return this;
    }

    /**
     * Registers the stream's time base and colour tags with a fresh random trace id: what an
     * ingest stage does when it opens a source.
     *
     * @return the trace id given to the stream
     */
    public String describe(StreamInfo info) {
        String trace = UUID.randomUUID().toString();
        describe(info.streamId(), FrameMeta.of(info, trace));
        return trace;
    }

    /** The meta registered for STREAM_ID, or {@link FrameMeta#UNSPECIFIED}. */
    public FrameMeta metaFor(String streamId) {
        return streams.getOrDefault(streamId, FrameMeta.UNSPECIFIED);
    }

    /**
     * Sends FRAME and waits until the broker has it ({@code acks=all}).
     *
     * @throws FrameTooLargeException if the frame does not fit the record limit (nothing is sent)
     * @throws KafkaException         if the broker did not take it within {@code delivery.timeout.ms}
     */
    public RecordMetadata send(Frame frame) throws InterruptedException {
        return send(frame, null);
    }

    /** {@link #send(Frame)} with explicit meta (null: the stream's registered meta). */
    public RecordMetadata send(Frame frame, FrameMeta meta) throws InterruptedException {
        return await(sendAsync(frame, meta, null));
    }

    /**
     * Encodes FRAME now (encoding errors are thrown here) and sends it in the background.
     * Records of one stream keep their order even with several in flight (idempotent producer).
     * Blocks only when {@code buffer.memory} is full, which is the producer's backpressure.
     *
     * @param meta     null: the stream's registered meta
     * @param callback called on the producer's I/O thread when the send completes (may be null); keep it short
     */
    public Future<RecordMetadata> sendAsync(Frame frame, FrameMeta meta, Callback callback) {
        FrameMeta m = meta != null ? meta : metaFor(frame.streamId());
        return producer.send(codec.encode(topic, frame, m), callback);
    }

    /** Waits for everything sent so far. */
    public void flush() {
        producer.flush();
    }

    /** Closes the producer if this publisher created it, after sending what is buffered. */
    @Override
    public void close() {
        if (ownsProducer) {
            producer.close();
        } else {
            producer.flush();
        }
    }

    static RecordMetadata await(Future<RecordMetadata> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof KafkaException k) {
                throw k;
            }
            throw new KafkaException("send failed: " + c, c);
        }
    }
}
