package org.daair.stream.cli.preview;

import java.util.HashMap;
import java.util.Map;
import org.daair.stream.common.Frame;

/**
 * The input pixels of frames on their way through the engine, by seq, until the sink pairs each
 * restored frame with its own input. Kept as 8-bit RGB (a quarter of the float frame; the sink
 * writes 8 bits anyway) and bounded: when {@code capacity} frames wait, the decoder waits too.
 */
public final class OriginalFrames {

    /** One input frame's pixels, 8-bit planar RGB. */
    public record Original(int width, int height, byte[] rgb) {
    }

    private final int capacity;
    private final Map<Long, Original> bySeq = new HashMap<>();

    public OriginalFrames(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.capacity = capacity;
    }

    /**
     * Keeps {@code f}'s pixels; waits while {@code capacity} frames are kept. Interrupted (the run
     * is being stopped), it keeps nothing and leaves the interrupt flag set for the caller.
     */
    public synchronized void put(Frame f) {
        try {
            while (bySeq.size() >= capacity) {
                wait();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        float[] v = f.rgb();
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) quantize(v[i]);
        }
        bySeq.put(f.seq(), new Original(f.width(), f.height(), b));
    }

    /** Removes and returns the input of frame {@code seq}, or null when it was not kept. */
    public synchronized Original take(long seq) {
        Original o = bySeq.remove(seq);
        notifyAll();
        return o;
    }

    /** Frames kept now. */
    public synchronized int size() {
        return bySeq.size();
    }

    /** [0,1] to 0..255 with rounding, as the sinks do, so the input part matches a plain 8-bit write. */
    static int quantize(float v) {
        if (!(v > 0f)) {
            return 0;
        }
        return v >= 1f ? 255 : (int) (v * 255f + 0.5f);
    }
}
