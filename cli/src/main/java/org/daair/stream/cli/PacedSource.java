package org.daair.stream.cli;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.ingest.FrameSource;

/**
 * A live source made of frames already in memory: frame i is released at start + i / fps (the
 * clock starts at the first {@link #next}), as a camera delivers them, and its release is
 * recorded for the latency measurement. Decoding is not part of it: a frame counts as arrived
 * when it is handed out. If the caller takes a frame after its time, it is released at once (the
 * recorder then counts from the late release; a live caller never blocks, so this is rare).
 */
public final class PacedSource implements FrameSource {

    private final List<Frame> frames;
    private final StreamInfo info;
    private final double fps;
    private final LatencyRecorder recorder;
    private long start = -1;
    private int next;

    /**
     * @param info     the stream description; its stream id is given to every frame
     * @param fps      release rate, frames per second (&gt; 0)
     * @param recorder told of every release (may be null)
     */
    public PacedSource(List<Frame> frames, StreamInfo info, double fps, LatencyRecorder recorder) {
        if (!(fps > 0)) {
            throw new IllegalArgumentException("pace must be > 0 fps, not " + fps);
        }
        this.frames = frames;
        this.info = info;
        this.fps = fps;
        this.recorder = recorder;
    }

    @Override
    public StreamInfo info() {
        return info;
    }

    @Override
    public Frame next() throws IOException {
        if (next >= frames.size()) {
            return null;
        }
        long now = System.nanoTime();
        if (start < 0) {
            start = now;
        }
        long due = start + Math.round(next * 1e9 / fps);
        while ((now = System.nanoTime()) < due) {
            LockSupport.parkNanos(due - now);
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while pacing frames");
            }
        }
        Frame f = frames.get(next);
        Frame out = new Frame(info.streamId(), next, f.ptsMicros(), f.width(), f.height(), f.rgb(), null, f.name());
        next++;
        if (recorder != null) {
            recorder.released(out.seq());
        }
        return out;
    }

    @Override
    public void close() {
    }
}
