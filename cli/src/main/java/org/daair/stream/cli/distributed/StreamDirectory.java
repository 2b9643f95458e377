package org.daair.stream.cli.distributed;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.kafka.KafkaFrames;
import org.daair.stream.kafka.Topics;

/**
 * Stream-level facts (frame rate, size, colour tags, rotation, source path for the audio copy) on
 * a compacted topic, key = stream id: the sink of another process needs them before the first
 * frame to open its output. Frame records carry per-frame facts only (docs/frame-format.md).
 */
public final class StreamDirectory {

    public static final String TOPIC = "daair.streams";
    private static final ObjectMapper JSON = new ObjectMapper();

    private StreamDirectory() {
    }

    public static void ensureTopic(KafkaFrames kafka) {
        try (var admin = kafka.admin()) {
            Topics.ensure(admin, TOPIC, 1, Map.of("cleanup.policy", "compact"));
        }
    }

    public static void publish(KafkaFrames kafka, StreamInfo info) throws IOException {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(kafka.producerConfig())) {
            p.send(new ProducerRecord<>(TOPIC, info.streamId().getBytes(StandardCharsets.UTF_8), JSON.writeValueAsBytes(info))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while publishing stream " + info.streamId(), e);
        } catch (ExecutionException e) {
            throw new IOException("cannot publish stream " + info.streamId() + " to " + kafka.bootstrapServers() + ": " + e.getCause().getMessage(), e);
        }
    }

    /** The latest description of STREAM_ID, waiting up to TIMEOUT for it to appear. */
    public static StreamInfo lookup(KafkaFrames kafka, String streamId, Duration timeout) throws IOException {
        Map<String, Object> c = new HashMap<>(kafka.consumerConfig("unused"));
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] key = streamId.getBytes(StandardCharsets.UTF_8);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            List<PartitionInfo> parts = null;
            while (parts == null || parts.isEmpty()) {
                try {
                    parts = consumer.partitionsFor(TOPIC, Duration.ofSeconds(10));
                } catch (org.apache.kafka.common.errors.RetriableException e) {
                    // the broker is starting or restarting: ask again until the deadline
                }
                if (parts == null || parts.isEmpty()) {
                    if (System.nanoTime() >= deadline) {
                        break;
                    }
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while looking up stream " + streamId, e);
                    }
                }
            }
            if (parts == null) {
                parts = List.of();
            }
            List<TopicPartition> tps = parts.stream().map(p -> new TopicPartition(TOPIC, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            StreamInfo found = null;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (java.util.Arrays.equals(key, r.key()) && r.value() != null) {
                        found = JSON.readValue(r.value(), StreamInfo.class);
                    }
                }
                if (found != null && caughtUp(consumer, tps)) {
                    return found;
                }
            }
        }
        throw new IOException("stream '" + streamId + "' is not known to the broker at " + kafka.bootstrapServers()
                + " (start './daair ingest --stream-id " + streamId + "' first)");
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> tps) {
        Map<TopicPartition, Long> end = consumer.endOffsets(tps);
        return tps.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
    }
}
