package org.daair.stream.sink;

import java.io.IOException;

import org.daair.stream.common.Frame;

/**
 * Where restored frames go: a video file, a live stream, a Y4M pipe or a folder of images.
 *
 * <p>The life cycle is transactional so that a crash or a cancelled job never leaves a file that
 * looks complete but is not:
 * <ol>
 *   <li>{@link #write(Frame)} for each frame, in {@code seq} order (end-of-stream markers are
 *       ignored);</li>
 *   <li>{@link #finish()} flushes the encoder and commits the output (for files: an atomic rename
 *       from a temporary name);</li>
 *   <li>{@link #close()} releases resources; called without a successful {@link #finish()} it
 *       aborts and deletes the partial output.</li>
 * </ol>
 * A sink is used by one thread at a time.
 */
public interface FrameSink extends AutoCloseable {

    /** Encodes or stores one frame. */
    void write(Frame f) throws IOException;

    /** Flushes and commits the output; after it, {@link #close()} only releases resources. */
    void finish() throws IOException;

    /** Releases resources; without a prior {@link #finish()}, aborts and deletes partial output. */
    @Override
    void close();
}
