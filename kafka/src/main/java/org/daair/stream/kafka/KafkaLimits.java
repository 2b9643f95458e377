package org.daair.stream.kafka;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Every size limit that a large frame meets on its way through Kafka, derived from one number so
 * they cannot disagree. A frame rejected halfway (the producer accepts it, the broker refuses it,
 * or the broker stores it and a consumer cannot fetch it) is the typical large-message failure;
 * here the codec is the only gate: a record it produces passes every later limit.
 *
 * <p>{@code maxFrameBytes} bounds one record as the codec builds it (payload + key + headers,
 * uncompressed). The default, 64 MiB, carries 1080p in every encoding (raw-f32 24.9 MB), 1440p
 * raw-f32 (44.2 MB) and 4K in raw-f16 (49.8 MB), raw-u8 (24.9 MB), PNG and JPEG, but not 4K raw-f32
 * (99.5 MB): frames are never split, because reassembling chunks breaks per-record offsets and
 * at-least-once commits, and a 100 MB record per frame is more than a single broker should buffer.
 * Larger limits are possible (up to 512 MiB) by passing the same {@code KafkaLimits} to the broker,
 * the topics and all clients.
 *
 * <table>
 *   <caption>derived settings (default values)</caption>
 *   <tr><th>where</th><th>setting</th><th>value</th></tr>
 *   <tr><td>codec</td><td>largest record</td><td>maxFrameBytes (64 MiB)</td></tr>
 *   <tr><td>producer</td><td>{@code max.request.size}</td><td>+ 64 KiB framing (64.06 MiB)</td></tr>
 *   <tr><td>producer</td><td>{@code buffer.memory}</td><td>3 x max.request.size (192.2 MiB)</td></tr>
 *   <tr><td>broker / topic</td><td>{@code message.max.bytes} / {@code max.message.bytes}, {@code replica.fetch.max.bytes}</td>
 *       <td>max.request.size + 1/128 for compression expansion of incompressible data (64.56 MiB)</td></tr>
 *   <tr><td>broker</td><td>{@code socket.request.max.bytes}</td><td>max(100 MiB, message.max.bytes + 1 MiB)</td></tr>
 *   <tr><td>consumer</td><td>{@code max.partition.fetch.bytes}</td><td>message.max.bytes</td></tr>
 *   <tr><td>consumer</td><td>{@code fetch.max.bytes}</td><td>2 x message.max.bytes</td></tr>
 * </table>
 *
 * @param maxFrameBytes largest encoded record, 1 MiB to 512 MiB
 */
public record KafkaLimits(int maxFrameBytes) {

    public static final int MIB = 1 << 20;

    /** 64 MiB: see the class comment for what fits. */
    public static final KafkaLimits DEFAULT = new KafkaLimits(64 * MIB);

    /** Batch and record framing around the codec's bytes (varints, CRC, batch header): far less. */
    static final int FRAMING_BYTES = 64 << 10;

    public KafkaLimits {
        if (maxFrameBytes < MIB || maxFrameBytes > 512 * MIB) {
            throw new IllegalArgumentException("maxFrameBytes must be 1 MiB..512 MiB, was " + maxFrameBytes);
        }
    }

    /** Producer {@code max.request.size}: the codec's limit plus record and batch framing. */
    public int maxRequestSize() {
        return maxFrameBytes + FRAMING_BYTES;
    }

    /**
     * Broker {@code message.max.bytes} and topic {@code max.message.bytes}. The broker checks the
     * compressed batch, which can be larger than the record when the payload does not compress
     * (lz4 adds up to 1/255, zstd less), hence 1/128 of slack.
     */
    public int messageMaxBytes() {
        return maxRequestSize() + maxFrameBytes / 128;
    }

    /** Broker {@code socket.request.max.bytes}: one produce request must fit. */
    public int socketRequestMaxBytes() {
        return Math.max(100 * MIB, messageMaxBytes() + MIB);
    }

    /** Producer {@code buffer.memory}: room for a few frames in flight before {@code send} blocks. */
    public long bufferMemory() {
        return 3L * maxRequestSize();
    }

    /** Consumer {@code max.partition.fetch.bytes}. */
    public int maxPartitionFetchBytes() {
        return messageMaxBytes();
    }

    /** Consumer {@code fetch.max.bytes}. */
    public int fetchMaxBytes() {
        return (int) Math.min(Integer.MAX_VALUE, 2L * messageMaxBytes());
    }

    /** Sets the producer limits in a client configuration. */
    public void applyToProducer(Map<String, Object> config) {
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestSize());
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, bufferMemory());
    }

    /** Sets the consumer limits in a client configuration. */
    public void applyToConsumer(Map<String, Object> config) {
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, maxPartitionFetchBytes());
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, fetchMaxBytes());
    }

    /** Sets the broker limits in server properties. */
    public void applyToBroker(Map<Object, Object> serverProperties) {
        serverProperties.put("message.max.bytes", Integer.toString(messageMaxBytes()));
        serverProperties.put("replica.fetch.max.bytes", Integer.toString(messageMaxBytes()));
        serverProperties.put("socket.request.max.bytes", Integer.toString(socketRequestMaxBytes()));
    }

    /** Topic-level configuration for a frame topic, so that it holds even on a broker with default limits. */
    public Map<String, String> topicConfig() {
        return Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(messageMaxBytes()));
    }

    @Override
    public String toString() {
        return "KafkaLimits[maxFrameBytes=" + maxFrameBytes + " (" + maxFrameBytes / MIB + " MiB)]";
    }
}
