package org.daair.stream.kafka;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Entry point for frames over Kafka: client configurations with the frame limits applied, and
 * publishers and subscribers built from them. Immutable; {@code with*} returns a copy.
 *
 * <pre>{@code
 * KafkaFrames kafka = KafkaFrames.connect(broker.bootstrapServers());
 * kafka.ensureTopic(Topics.FRAMES, 4);
 * try (FramePublisher out = kafka.publisher(Topics.FRAMES)) {
 *     out.describe(info);                 // colour tags, time base, a trace id for this stream
 *     out.send(frame);                    // waits for acks=all
 * }
 * try (FrameSubscriber in = kafka.subscriber(Topics.FRAMES, "restorers").deadLetterTo(Topics.DEAD_LETTER)) {
 *     ReceivedFrame f = in.next(Duration.ofSeconds(1));
 *     ... process ...
 *     in.commit();                        // at-least-once: commit after processing
 * }
 * }</pre>
 *
 * <p>Producer defaults: idempotent, {@code acks=all}, at most 5 requests in flight (the most that
 * keeps order with idempotence), lz4 compression (fast enough for video rates on a few cores;
 * zstd packs 8-bit payloads tighter at several times the CPU), {@code linger.ms=5},
 * {@code batch.size} 1 MiB. Consumer defaults: manual commits, {@code auto.offset.reset=earliest}
 * (a new group starts at the beginning of the stream, so no frame published before it joined is
 * skipped), {@code isolation.level=read_committed} (no transactions are used; it only matters if a
 * transactional producer writes the topic), {@code max.poll.records=8} and
 * {@code max.poll.interval.ms} 10 min, because a handful of large frames can take minutes to
 * restore on a CPU.
 *
 * <p>Transient faults (a broker restart, a leader move, a lost connection) are retried, with
 * exponential backoff from 100 ms to 2 s, for up to {@value #DELIVERY_TIMEOUT_MS} ms before a send,
 * commit or admin call fails; a consumer that stops heartbeating (a killed worker) loses its
 * partitions after {@value #SESSION_TIMEOUT_MS} ms.
 */
public final class KafkaFrames {

    /** Compression types Kafka producers accept. */
    private static final Set<String> COMPRESSION = Set.of("none", "lz4", "zstd", "gzip", "snappy");

    private final String bootstrapServers;
    private final KafkaLimits limits;
    private final String compression;
    private final String clientId;
    private final Map<String, Object> producerOverrides;
    private final Map<String, Object> consumerOverrides;
    private final KafkaSecurity security;

    private KafkaFrames(String bootstrapServers, KafkaLimits limits, String compression, String clientId,
                        Map<String, Object> producerOverrides, Map<String, Object> consumerOverrides) {
        this(bootstrapServers, limits, compression, clientId, producerOverrides, consumerOverrides, KafkaSecurity.NONE);
    }

    private KafkaFrames(String bootstrapServers, KafkaLimits limits, String compression, String clientId,
                        Map<String, Object> producerOverrides, Map<String, Object> consumerOverrides, KafkaSecurity security) {
        this.security = Objects.requireNonNull(security, "security");
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.compression = compression;
        this.clientId = clientId;
        this.producerOverrides = Map.copyOf(producerOverrides);
        this.consumerOverrides = Map.copyOf(consumerOverrides);
    }

    /** Frames over the cluster at BOOTSTRAP_SERVERS ({@code host:port[,host:port...]}), default limits, lz4. */
    public static KafkaFrames connect(String bootstrapServers) {
        return new KafkaFrames(bootstrapServers, KafkaLimits.DEFAULT, "lz4", "daair", Map.of(), Map.of());
    }

    /** The limits for clients and for topics this creates; the broker must be started with the same. */
    public KafkaFrames withLimits(KafkaLimits newLimits) {
        return new KafkaFrames(bootstrapServers, newLimits, compression, clientId, producerOverrides, consumerOverrides, security);
    }

    /** Producer compression: {@code lz4} (default), {@code zstd}, {@code gzip}, {@code snappy} or {@code none}. */
    public KafkaFrames withCompression(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        if (!COMPRESSION.contains(t)) {
            throw new IllegalArgumentException("unknown compression '" + type + "' " + COMPRESSION);
        }
        return new KafkaFrames(bootstrapServers, limits, t, clientId, producerOverrides, consumerOverrides, security);
    }

    /** Prefix of the {@code client.id} of every client (default {@code daair}); shows in broker logs and metrics. */
    public KafkaFrames withClientId(String prefix) {
        return new KafkaFrames(bootstrapServers, limits, compression, prefix, producerOverrides, consumerOverrides, security);
    }

    /** Any producer setting, applied last (e.g. security settings); overriding the limits is on you. */
    public KafkaFrames withProducerProperty(String name, Object value) {
        Map<String, Object> m = new HashMap<>(producerOverrides);
        m.put(name, value);
        return new KafkaFrames(bootstrapServers, limits, compression, clientId, m, consumerOverrides, security);
    }

    /** Any consumer setting, applied last. */
    public KafkaFrames withConsumerProperty(String name, Object value) {
        Map<String, Object> m = new HashMap<>(consumerOverrides);
        m.put(name, value);
        return new KafkaFrames(bootstrapServers, limits, compression, clientId, producerOverrides, m, security);
    }

    /**
     * TLS and SASL for every client this builds (producers, consumers, admin), see
     * {@link KafkaSecurity#fromSettings}; applied before the per-client overrides.
     */
    public KafkaFrames withSecurity(KafkaSecurity newSecurity) {
        return new KafkaFrames(bootstrapServers, limits, compression, clientId, producerOverrides, consumerOverrides, newSecurity);
    }

    public KafkaSecurity security() {
        return security;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public KafkaLimits limits() {
        return limits;
    }

    public String compression() {
        return compression;
    }

    /** The producer configuration used by {@link #publisher}: byte-array key and value. */
    public Map<String, Object> producerConfig() {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-producer-" + shortId());
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // idempotence: a retried send cannot duplicate or reorder a frame within its partition
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // small frames share a batch; a frame larger than this gets a batch of its own anyway
        c.put(ProducerConfig.BATCH_SIZE_CONFIG, KafkaLimits.MIB);
        // a broker restart or a leader move is transient: retry with backoff instead of failing the send
        c.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DELIVERY_TIMEOUT_MS);
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, DELIVERY_TIMEOUT_MS);
        retryBackoff(c);
        limits.applyToProducer(c);
        c.putAll(security.clientProperties());
        c.putAll(producerOverrides);
        return c;
    }

    /** The consumer configuration used by {@link #subscriber}: manual commit, byte-array key and value. */
    public Map<String, Object> consumerConfig(String groupId) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-consumer-" + shortId());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, Objects.requireNonNull(groupId, "groupId"));
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 8);
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 600_000);
        // longer than the poll interval, or the coordinator connection may idle out mid-rebalance
        c.put(ConsumerConfig.CONNECTIONS_MAX_IDLE_MS_CONFIG, 660_000);
        // a killed member's partitions go to the others after this long without a heartbeat (the
        // heartbeat comes from a background thread, so a slow restoration does not count)
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, SESSION_TIMEOUT_MS / 3);
        c.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
        // commits and offset look-ups retry through a broker restart before they give up
        c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, DELIVERY_TIMEOUT_MS);
        retryBackoff(c);
        limits.applyToConsumer(c);
        c.putAll(security.clientProperties());
        c.putAll(consumerOverrides);
        return c;
    }

    /** An admin client for this cluster; the caller closes it. */
    public Admin admin() {
        return Admin.create(adminConfig());
    }

    /** The admin client configuration: bootstrap servers, client id, security. */
    public Map<String, Object> adminConfig() {
        Map<String, Object> c = new HashMap<>();
        c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-admin-" + shortId());
        c.putAll(security.clientProperties());
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, DELIVERY_TIMEOUT_MS);
        retryBackoff(c);
        return c;
    }

    /** Bootstrap servers and security (secrets shown as [hidden]): safe to log. */
    @Override
    public String toString() {
        return bootstrapServers + " (" + security + ")";
    }

    /**
     * How long a client keeps retrying through an unreachable broker before a send, commit or
     * admin call fails: long enough for a broker restart (3 min).
     */
    public static final int DELIVERY_TIMEOUT_MS = 180_000;
    /** One request's wait for its answer before it is retried (30 s, Kafka's default). */
    public static final int REQUEST_TIMEOUT_MS = 30_000;
    /** Consumer session timeout: how soon a killed worker's partitions move to the others. */
    public static final int SESSION_TIMEOUT_MS = 10_000;

    /** Retry and reconnect backoff, exponential: 100 ms doubling to 2 s (the broker is back within 2 s of its restart). */
    private static void retryBackoff(Map<String, Object> c) {
        c.put(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 100L);
        c.put(CommonClientConfigs.RETRY_BACKOFF_MAX_MS_CONFIG, 2_000L);
        c.put(CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG, 100L);
        c.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2_000L);
    }

    /**
     * Creates TOPIC with PARTITIONS partitions and this instance's record limit unless it exists
     * (see {@link Topics#ensure}). Partitions bound the parallelism of a consumer group; a stream
     * always stays in one partition.
     */
    public boolean ensureTopic(String topic, int partitions) {
        try (Admin admin = admin()) {
            return Topics.ensure(admin, topic, partitions, limits);
        }
    }

    /** A publisher with its own producer, writing {@link PayloadEncoding#DEFAULT} (raw-f32). */
    public FramePublisher publisher(String topic) {
        return publisher(topic, FrameCodec.defaults());
    }

    /** A publisher with its own producer; the codec's limits are replaced by this instance's. */
    public FramePublisher publisher(String topic, FrameCodec codec) {
        return new FramePublisher(newProducer(), true, topic, codec.withLimits(limits));
    }

    /**
     * A subscriber in consumer group GROUP_ID. Members of one group share the topic's partitions
     * (each stream is read by exactly one member); separate groups each read everything.
     */
    public FrameSubscriber subscriber(String topic, String groupId) {
        return new FrameSubscriber(newConsumer(groupId), topic, groupId, FrameCodec.defaults().withLimits(limits),
                this::newProducer);
    }

    KafkaConsumer<byte[], byte[]> newConsumer(String groupId) {
        return new KafkaConsumer<>(consumerConfig(groupId));
    }

    KafkaProducer<byte[], byte[]> newProducer() {
        return new KafkaProducer<>(producerConfig());
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
