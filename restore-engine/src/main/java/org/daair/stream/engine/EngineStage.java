package org.daair.stream.engine;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.daair.stream.common.Frame;
import org.daair.stream.common.FrameChannel;

/**
 * The worker stage: takes frames from an input channel, routes them, batches each
 * (route, size) group and sends the restored frames on. Frames may leave out of order (a batch
 * of one group can finish before an older frame of another group); the sink reorders by seq.
 * End-of-stream markers are passed on after every frame of that stream has left.
 */
public final class EngineStage implements Runnable {

    private final FrameRestorer engine;
    private final Batcher batcher;
    private final FrameChannel in;
    private final FrameChannel out;
    private final int streams;
    private volatile Throwable failure;

    /**
     * @param streams how many end-of-stream markers to see before the stage stops
     */
    public EngineStage(FrameRestorer engine, Batcher batcher, FrameChannel in, FrameChannel out, int streams) {
        this.engine = engine;
        this.batcher = batcher;
        this.in = in;
        this.out = out;
        this.streams = streams;
    }

    @Override
    public void run() {
        Set<String> ended = new HashSet<>();
        try {
            while (ended.size() < streams) {
                long wait = batcher.nanosUntilDue(System.nanoTime());
                Frame f = in.poll(wait < 0 ? Duration.ofMillis(200) : Duration.ofNanos(Math.max(wait, 100_000)));
                if (f != null) {
                    if (f.isEndOfStream()) {
                        // finish this stream's waiting frames before passing its end on
                        for (Batcher.Batch b : batcher.drain()) {
                            emit(b);
                        }
                        engine.forgetStream(f.streamId());
                        ended.add(f.streamId());
                        out.send(f);
                        continue;
                    }
                    Batcher.Batch full = batcher.add(f.withRoute(engine.route(f)), System.nanoTime());
                    if (full != null) {
                        emit(full);
                    }
                }
                for (Batcher.Batch b : batcher.due(System.nanoTime())) {
                    emit(b);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failure = e;
        }
    }

    private void emit(Batcher.Batch b) throws InterruptedException {
        List<Frame> restored = engine.restore(b.route(), b.frames());
        for (Frame r : restored) {
            out.send(r);
        }
    }

    /** The error that stopped the stage, or null. */
    public Throwable failure() {
        return failure;
    }
}
