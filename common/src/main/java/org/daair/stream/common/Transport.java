package org.daair.stream.common;

/**
 * Moves frames between stages by topic. The in-process implementation is the default; a Kafka
 * implementation carries the same frames between processes.
 */
public interface Transport extends AutoCloseable {

    /** The channel for a topic; created on first use. All callers share it. */
    FrameChannel channel(String topic);

    @Override
    void close();
}
