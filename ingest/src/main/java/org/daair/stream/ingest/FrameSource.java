package org.daair.stream.ingest;

import java.io.IOException;

import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;

/**
 * A pull-based producer of decoded frames: a video file, a live URL, a YUV4MPEG2 pipe or a
 * folder of images.
 *
 * <p>Frames come out in presentation order with {@link Frame#seq()} counting from 0, so the sink
 * can put restored frames back in order. A source is used by one thread at a time.
 */
public interface FrameSource extends AutoCloseable {

    /** What the sink needs to write the stream back as it came in (geometry, rate, colour tags). */
    StreamInfo info();

    /**
     * Decodes the next frame.
     *
     * @return the next frame, or {@code null} at the end of the stream
     * @throws SourceException when the input is damaged, truncated or unsupported
     * @throws java.io.IOException on other read errors
     */
    Frame next() throws IOException;

    /** Releases native decoders and files; never throws a checked exception. */
    @Override
    void close();
}
