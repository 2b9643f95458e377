package org.daair.stream.kafka;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;

/** The topic names of the distributed pipeline and a helper that creates frame topics. */
public final class Topics {

    /** Decoded source frames, keyed by stream id: ingest to restorers. */
    public static final String FRAMES = "daair.frames";
    /** Restored frames, keyed by stream id: restorers to sinks. */
    public static final String RESTORED = "daair.restored";
    /** Records that could not be decoded, unchanged plus {@code daair.error*} headers. */
    public static final String DEAD_LETTER = "daair.dead-letter";

    private Topics() {
    }

    /**
     * Creates TOPIC with PARTITIONS partitions (replication factor: the broker default) and the
     * record size limit of LIMITS, unless it exists. An existing topic is left as it is, even if
     * its partitions or limits differ: changing partitions would move streams between partitions
     * and break their order.
     *
     * @return true if the topic was created, false if it existed
     */
    public static boolean ensure(Admin admin, String topic, int partitions, KafkaLimits limits) {
        return ensure(admin, topic, partitions, limits.topicConfig());
    }

    /** {@link #ensure(Admin, String, int, KafkaLimits)} with explicit topic configuration. */
    public static boolean ensure(Admin admin, String topic, int partitions, Map<String, String> config) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        NewTopic t = new NewTopic(topic, java.util.Optional.of(partitions), java.util.Optional.empty()).configs(config);
        try {
            admin.createTopics(List.of(t)).all().get(60, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw new KafkaException("cannot create topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException("timed out creating topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while creating topic " + topic, e);
        }
    }
}
