package org.daair.stream.ingest;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.daair.stream.common.Frame;
import org.daair.stream.common.Resize;
import org.daair.stream.common.StreamInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live input (camera, network stream) that keeps the output going through drops and overload.
 *
 * <ul>
 *   <li><b>Reconnect.</b> A reader thread decodes the input. When it fails or ends (a camera
 *       reboots, the network drops, the read times out), it is closed and opened again with
 *       exponential backoff, for ever or until {@code giveUpAfter} has passed without a frame.</li>
 *   <li><b>Hold.</b> While no frame arrives for {@code holdAfter}, {@link #next()} repeats the last
 *       frame at the stream's frame rate ({@link WhileGone#REPEAT}), so a recording or a viewer
 *       keeps a moving clock instead of a frozen stream; with {@link WhileGone#PAUSE} it waits.</li>
 *   <li><b>Drop oldest.</b> Decoded frames wait in a queue of {@code queueFrames}; when the
 *       consumer (the engine) is behind, the oldest waiting frame is dropped and counted, so what
 *       is restored is always recent and memory stays bounded. A camera never waits.</li>
 * </ul>
 *
 * <p>Frames come out with consecutive {@code seq} numbers (dropped frames get none, so the sink
 * sees no gap) and increasing timestamps: within one connection they keep the source's spacing;
 * after a hold or a reconnection the timeline continues one frame after the last frame written.
 * A reconnected input of another size is scaled to the first one's.
 *
 * <p>The first connection is opened by the caller (so that a wrong URL fails at once with a clear
 * error); only later ones are retried. {@link #stop()} ends the stream cleanly (Ctrl-C on a
 * live recording keeps what was recorded).
 */
public final class LiveSource implements FrameSource {

    private static final Logger LOG = LoggerFactory.getLogger(LiveSource.class);

    /** What the output does while the source is gone. */
    public enum WhileGone {
        /** repeat the last frame at the stream's frame rate */
        REPEAT,
        /** write nothing until frames come again */
        PAUSE;

        public static WhileGone parse(String s) {
            return switch (s) {
                case "repeat" -> REPEAT;
                case "pause" -> PAUSE;
                default -> throw new IllegalArgumentException("while_gone must be repeat or pause, not '" + s + "'");
            };
        }
    }

    /** Opens (again) the underlying input. */
    @FunctionalInterface
    public interface Opener {
        FrameSource open() throws IOException;
    }

    /**
     * What happened so far.
     *
     * @param frames     frames handed out (decoded and repeated)
     * @param held       of them, repeats of the last frame while the source was silent
     * @param dropped    decoded frames dropped because the consumer was behind
     * @param outages    times the source was lost
     * @param reconnects times it was opened again
     */
    public record Stats(long frames, long held, long dropped, long outages, long reconnects) {
    }

    private record Decoded(Frame frame, long connection, long arrivalNanos) {
    }

    private final Opener opener;
    private final StreamInfo info;
    private final int queueFrames;
    private final long holdAfterNanos;
    private final long giveUpNanos;
    private final long backoffInitialNanos;
    private final long backoffMaxNanos;
    private final WhileGone whileGone;
    private final long intervalMicros;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Decoded> queue = new ArrayDeque<>();
    private final Thread reader;

    // shared with the reader thread, under lock
    private boolean stopped;
    private boolean readerDone;
    private long lastArrivalNanos;
    private long dropped;
    private long outages;
    private long reconnects;

    // consumer side (one thread)
    private long seq;
    private long held;
    private Frame last;
    private long lastConnection = -1;
    private long lastOutPts = Long.MIN_VALUE;
    private long ptsOffset;
    private boolean heldSinceLast;
    private long lastEmitNanos;
    private boolean ended;

    private LiveSource(Builder b) {
        this.opener = b.opener;
        this.info = b.first.info();
        this.queueFrames = b.queueFrames;
        this.holdAfterNanos = b.holdAfter.toNanos();
        this.giveUpNanos = b.giveUpAfter == null ? 0 : b.giveUpAfter.toNanos();
        this.backoffInitialNanos = b.backoffInitial.toNanos();
        this.backoffMaxNanos = b.backoffMax.toNanos();
        this.whileGone = b.whileGone;
        double fps = info.frameRate();
        this.intervalMicros = fps > 0 && fps <= 1000 ? Math.round(1e6 / fps) : 40_000;
        this.lastArrivalNanos = System.nanoTime();
        this.lastEmitNanos = lastArrivalNanos;
        FrameSource first = b.first;
        this.reader = new Thread(() -> read(first), "daair-live-reader-" + info.streamId());
        reader.setDaemon(true);
        reader.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public StreamInfo info() {
        return info;
    }

    /** Ends the stream: the next {@link #next()} returns null (frames still queued are not written). */
    public void stop() {
        lock.lock();
        try {
            stopped = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(seq, held, dropped, outages, reconnects);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Frame next() throws IOException {
        if (ended) {
            return null;
        }
        lock.lock();
        try {
            while (true) {
                if (stopped) {
                    return end("stopped");
                }
                Decoded d = queue.pollFirst();
                if (d != null) {
                    return emit(d);
                }
                long now = System.nanoTime();
                long silent = now - lastArrivalNanos;
                if (giveUpNanos > 0 && silent > giveUpNanos) {
                    LOG.warn("live source '{}' sent nothing for {} s: ending the output", info.source(),
                            Math.round(silent / 1e9));
                    return end("gone");
                }
                if (readerDone) {
                    return end("reader ended");
                }
                long wait = TimeUnit.MILLISECONDS.toNanos(100);
                if (whileGone == WhileGone.REPEAT && last != null && silent >= holdAfterNanos) {
                    long due = lastEmitNanos + intervalMicros * 1000 - now;
                    if (due <= 0) {
                        return hold(now);
                    }
                    wait = Math.min(wait, due);
                } else if (whileGone == WhileGone.REPEAT && last != null) {
                    wait = Math.min(wait, holdAfterNanos - silent);
                }
                arrived.awaitNanos(Math.max(wait, 100_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the live source");
        } finally {
            lock.unlock();
        }
    }

    private Frame end(String why) {
        ended = true;
        stopped = true;
        arrived.signalAll();
        LOG.debug("live source '{}' ends ({})", info.source(), why);
        return null;
    }

    private Frame emit(Decoded d) {
        Frame f = d.frame();
        float[] rgb = f.rgb();
        if (f.width() != info.width() || f.height() != info.height()) {
            rgb = Resize.bilinear(rgb, f.width(), f.height(), info.width(), info.height());
        }
        long pts;
        if (lastOutPts == Long.MIN_VALUE) {
            ptsOffset = 0;
            pts = f.ptsMicros();
        } else {
            if (d.connection() != lastConnection || heldSinceLast) {
                // a new connection, or frames after a silence: continue the timeline one frame on
                ptsOffset = lastOutPts + intervalMicros - f.ptsMicros();
            }
            pts = Math.max(f.ptsMicros() + ptsOffset, lastOutPts + 1);
        }
        lastConnection = d.connection();
        heldSinceLast = false;
        Frame out = new Frame(info.streamId(), seq++, pts, info.width(), info.height(), rgb, null, null);
        last = out;
        lastOutPts = pts;
        lastEmitNanos = System.nanoTime();
        return out;
    }

    private Frame hold(long now) {
        held++;
        heldSinceLast = true;
        // the repeat is stamped with the wall time since the last frame (on the frame grid): when the
        // consumer is slower than the frame rate, fewer repeats still span the whole outage
        long steps = Math.max(1, Math.round((now - lastEmitNanos) / 1000.0 / intervalMicros));
        lastOutPts += steps * intervalMicros;
        lastEmitNanos += steps * intervalMicros * 1000;
        if (held == 1 || held % 250 == 0) {
            LOG.info("live source '{}' is silent: repeating the last frame ({} so far)", info.source(), held);
        }
        return new Frame(info.streamId(), seq++, lastOutPts, info.width(), info.height(), last.rgb().clone(), null, null);
    }

    // ------------------------------------------------------------------ reader thread

    private void read(FrameSource first) {
        FrameSource cur = first;
        long connection = 0;
        long backoff = backoffInitialNanos;
        long framesThisConnection = 0;
        boolean warned = false;
        try {
            while (!isStopped()) {
                if (cur == null) {
                    try {
                        cur = opener.open();
                        connection++;
                        framesThisConnection = 0;
                        warned = false;
                        lock.lock();
                        try {
                            reconnects++;
                        } finally {
                            lock.unlock();
                        }
                        LOG.warn("live source '{}' is back", info.source());
                    } catch (IOException | RuntimeException e) {
                        if (!warned) {
                            LOG.warn("live source '{}' cannot be opened yet ({}); retrying with backoff up to {} s",
                                    info.source(), e.getMessage(), String.format(java.util.Locale.ROOT, "%.1f", backoffMaxNanos / 1e9));
                            warned = true;
                        }
                        if (!sleep(backoff)) {
                            return;
                        }
                        backoff = Math.min(backoff * 2, backoffMaxNanos);
                        continue;
                    }
                }
                Frame f;
                String why;
                try {
                    f = cur.next();
                    why = "the stream ended";
                } catch (IOException | RuntimeException e) {
                    f = null;
                    why = e.getMessage();
                }
                if (f == null) {
                    cur.close();
                    cur = null;
                    lock.lock();
                    try {
                        outages++;
                    } finally {
                        lock.unlock();
                    }
                    if (framesThisConnection > 0) {
                        LOG.warn("live source '{}' dropped ({}): reconnecting", info.source(), why);
                        backoff = backoffInitialNanos;
                    } else {
                        // it opens but sends nothing: wait before the next try, as for a refusal
                        if (!sleep(backoff)) {
                            return;
                        }
                        backoff = Math.min(backoff * 2, backoffMaxNanos);
                    }
                    continue;
                }
                framesThisConnection++;
                offer(new Decoded(f, connection, System.nanoTime()));
            }
        } finally {
            if (cur != null) {
                cur.close();
            }
            lock.lock();
            try {
                readerDone = true;
                arrived.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void offer(Decoded d) {
        lock.lock();
        try {
            if (queue.size() >= queueFrames) {
                queue.pollFirst();
                dropped++;
                if (dropped == 1 || dropped % 100 == 0) {
                    LOG.warn("restoration is behind the live source '{}': dropping the oldest frames ({} so far)",
                            info.source(), dropped);
                }
            }
            queue.addLast(d);
            lastArrivalNanos = d.arrivalNanos();
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean isStopped() {
        lock.lock();
        try {
            return stopped;
        } finally {
            lock.unlock();
        }
    }

    /** Sleeps up to {@code nanos}, waking early on stop; false when stopped. */
    private boolean sleep(long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (!stopped && left > 0) {
                left = arrived.awaitNanos(left);
            }
            return !stopped;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the reader and waits for it to close the input. The wait is bounded by the input's
     * read timeout: native FFmpeg code cannot be interrupted, and closing a decoder under a
     * running read would crash the process.
     */
    @Override
    public void close() {
        stop();
        try {
            reader.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reader.isAlive()) {
            LOG.warn("live source '{}' did not close within 60 s", info.source());
        }
    }

    /** Builder: {@code set*} required, {@code opt*} optional. */
    public static final class Builder {
        private FrameSource first;
        private Opener opener;
        private int queueFrames = 4;
        private Duration holdAfter = Duration.ofMillis(1000);
        private Duration giveUpAfter;
        private Duration backoffInitial = Duration.ofMillis(500);
        private Duration backoffMax = Duration.ofSeconds(8);
        private WhileGone whileGone = WhileGone.REPEAT;

        private Builder() {
        }

        /** The first connection, already open (its info is the output's). */
        public Builder setFirst(FrameSource first) {
            this.first = first;
            return this;
        }

        /** Opens the input again after a drop. */
        public Builder setOpener(Opener opener) {
            this.opener = opener;
            return this;
        }

        /** Decoded frames waiting for the consumer; beyond, the oldest is dropped (default 4). */
        public Builder optQueueFrames(int frames) {
            if (frames < 1) {
                throw new IllegalArgumentException("the live queue needs at least 1 frame, not " + frames);
            }
            this.queueFrames = frames;
            return this;
        }

        /** Silence after which the last frame is repeated (default 1 s). */
        public Builder optHoldAfter(Duration d) {
            this.holdAfter = Objects.requireNonNull(d);
            return this;
        }

        /** End the stream after this long without a frame; null or zero = never (default). */
        public Builder optGiveUpAfter(Duration d) {
            this.giveUpAfter = d == null || d.isZero() ? null : d;
            return this;
        }

        /** First and longest wait between reconnection attempts (default 0.5 s doubling to 8 s). */
        public Builder optBackoff(Duration initial, Duration max) {
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff must be positive and max >= initial");
            }
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        public Builder optWhileGone(WhileGone w) {
            this.whileGone = Objects.requireNonNull(w);
            return this;
        }

        public LiveSource build() {
            Objects.requireNonNull(first, "setFirst");
            Objects.requireNonNull(opener, "setOpener");
            return new LiveSource(this);
        }
    }
}
