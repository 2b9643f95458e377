package org.daair.stream.kafka;

import org.daair.stream.common.Frame;

/**
 * A decoded frame and where it came from. The position is what {@link FrameSubscriber#commit(ReceivedFrame)}
 * commits; {@code meta} is what a stage passes on with its output so colour tags and the trace id
 * survive the hop.
 *
 * @param frame     the frame (or an end-of-stream marker)
 * @param meta      time base, colour tags, trace id
 * @param encoding  the payload encoding it arrived in, null for an end-of-stream marker
 * @param topic     the record's topic (null when decoded outside a consumer)
 * @param partition the record's partition, or -1
 * @param offset    the record's offset, or -1
 */
public record ReceivedFrame(Frame frame, FrameMeta meta, PayloadEncoding encoding, String topic, int partition,
                            long offset) {
}
