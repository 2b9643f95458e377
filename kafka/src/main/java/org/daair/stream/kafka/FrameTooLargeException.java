package org.daair.stream.kafka;

/**
 * A frame whose record would exceed {@link KafkaLimits#maxFrameBytes()}. Thrown by the codec before
 * anything is sent, so no broker or consumer ever sees a record it cannot take.
 */
public class FrameTooLargeException extends IllegalArgumentException {

    private final long recordBytes;
    private final int limitBytes;

    public FrameTooLargeException(String message, long recordBytes, int limitBytes) {
        super(message);
        this.recordBytes = recordBytes;
        this.limitBytes = limitBytes;
    }

    /** The size the record would have had (payload size for raw encodings, checked before encoding). */
    public long recordBytes() {
        return recordBytes;
    }

    public int limitBytes() {
        return limitBytes;
    }
}
