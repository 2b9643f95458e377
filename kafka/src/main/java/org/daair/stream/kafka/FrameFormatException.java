package org.daair.stream.kafka;

/**
 * A record that is not a valid daair frame: missing or unparsable headers, an unknown format
 * version or payload encoding, a payload whose size or picture does not match the headers.
 *
 * <p>Unchecked, like Kafka's own deserialization errors, so that it can cross the client API; the
 * record's position is attached when known so the record can be found (and is copied to the
 * dead-letter topic by {@link FrameSubscriber}).
 */
public class FrameFormatException extends RuntimeException {

    private final String reason;
    private final String topic;
    private final int partition;
    private final long offset;

    public FrameFormatException(String message) {
        this(message, null, null, -1, -1);
    }

    public FrameFormatException(String message, Throwable cause) {
        this(message, cause, null, -1, -1);
    }

    FrameFormatException(String message, Throwable cause, String topic, int partition, long offset) {
        super(topic == null ? message : message + " (" + topic + "-" + partition + "@" + offset + ")", cause);
        this.reason = message;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
    }

    /** A copy that names the record's position. */
    FrameFormatException at(String recordTopic, int recordPartition, long recordOffset) {
        if (recordTopic == null || topic != null) {
            return this;
        }
        FrameFormatException e = new FrameFormatException(reason, getCause(), recordTopic, recordPartition, recordOffset);
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** The problem without the position suffix. */
    public String reason() {
        return reason;
    }

    /** The record's topic, or null when decoded outside a consumer. */
    public String topic() {
        return topic;
    }

    /** The record's partition, or -1. */
    public int partition() {
        return partition;
    }

    /** The record's offset, or -1. */
    public long offset() {
        return offset;
    }
}
