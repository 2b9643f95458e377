package org.daair.stream.cli.report;

import org.daair.stream.common.Frame;
import org.daair.stream.sink.FrameSink;

/**
 * A sink that keeps nothing: a report without {@code --output-video} needs the restored frames
 * only as they pass (its listeners see them), not a video to encode and delete again.
 */
public final class DiscardingSink implements FrameSink {

    private long written;

    @Override
    public void write(Frame f) {
        if (!f.isEndOfStream()) {
            written++;
        }
    }

    /** Frames seen. */
    public long written() {
        return written;
    }

    @Override
    public void finish() {
        // nothing to flush
    }

    @Override
    public void close() {
        // nothing to release
    }
}
