package org.daair.stream.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.daair.stream.common.Frame;

/**
 * A {@link TemporalStabilizer} that starts warm, at a stream's start and after each scene cut
 * where it restarts: the next {@code frames} restored frames are held until
 * all of them are restored, and each comes out as the average of all of them where they are still:
 * the filter's own forward average of the frames up to it joined to a backward one of the frames
 * after it ({@link TemporalStabilizer#backwardMeans}). The filter itself runs as it would without,
 * so once a window is out the output is the same as without.
 *
 * <p>Why: a recursive filter that restarts outputs the mean of the frames so far, so its first
 * outputs change by a half, a third, a quarter ... of the restored frames' residual noise, and the
 * first frame is not averaged at all; on the temporal clip the stream's first five frames were
 * 0.17x of its 1.79x flicker (session 15).
 *
 * <p>For files only: a window's first output waits for {@code frames} restorations, which a file's
 * decoder and engine run ahead to anyway, but a live stream would see as that much more latency.
 * Frames still come out one for one and in order; a stream's end releases what is held.
 */
public final class WarmStart {
    private final TemporalStabilizer stabilizer;
    private final int frames;
    private final long budgetBytes;
    private final Map<String, Window> held = new HashMap<>();
    private final Map<String, Integer> target = new HashMap<>();

    /** A held window: each frame as restored, as the filter put it out, and the filter's count then. */
    private static final class Window {
        final List<Frame> restored = new ArrayList<>();
        final List<Frame> forward = new ArrayList<>();
        final List<Integer> counts = new ArrayList<>();
    }

    /**
     * @param frames how many restored frames a start averages (1 or less: none are held, the
     *               stabiliser's own cold start); fewer where they would not fit in an eighth of
     *               the heap ({@link #startFrames})
     */
    public WarmStart(TemporalStabilizer stabilizer, int frames) {
        this(stabilizer, frames, Runtime.getRuntime().maxMemory() / 8);
    }

    WarmStart(TemporalStabilizer stabilizer, int frames, long budgetBytes) {
        this.stabilizer = stabilizer;
        this.frames = frames;
        this.budgetBytes = budgetBytes;
    }

    /**
     * How many frames of this size a window holds: FRAMES, or fewer where the held frames, the
     * filter's outputs and the backward averages (three float copies each) would take more than
     * the budget (with an eighth of a 6 GiB heap, 10 frames of 1080p, 2 of 4K).
     */
    int startFrames(Frame f) {
        long bytes = 3L * Float.BYTES * f.rgb().length;
        return (int) Math.min(frames, budgetBytes / Math.max(1, bytes));
    }

    /**
     * Restored frame F of its stream, in order (or the stream's end); the stabilised frames now
     * ready, in order: none while a window is held, then all of it at once, else one per frame.
     */
    public List<Frame> apply(Frame f) {
        String id = f.streamId();
        if (f.isEndOfStream()) {
            List<Frame> out = release(id);
            out.add(stabilizer.apply(f));
            target.remove(id);
            return out;
        }
        int want = target.computeIfAbsent(id, k -> startFrames(f));
        Frame forward = stabilizer.apply(f);
        int n = stabilizer.averaged(id);
        // the filter starts cold: the stream's first frame, or a scene cut. Not a cut whose scene
        // stayed (its count restarts above 1): there the forward average holds the old restorer's
        // output, re-lit, and the backward one the new restorer's, and joining the two was seen to
        // flicker as the weights moved from one to the other (the temporal clip's frame 64: 0.11x
        // -> 0.18x for the six frames after it)
        boolean restart = n == 1;
        List<Frame> out = new ArrayList<>();
        if (restart) {
            out.addAll(release(id));   // a window cut short by the next restart goes out as it is
        }
        Window w = held.get(id);
        if (w == null && (!restart || want <= 1)) {
            out.add(forward);
            return out;
        }
        if (w == null) {
            w = new Window();
            held.put(id, w);
        }
        w.restored.add(f);
        w.forward.add(forward);
        w.counts.add(n);
        if (w.restored.size() >= want) {
            out.addAll(release(id));
        }
        return out;
    }

    /** How many frames are held for STREAM. */
    int held(String streamId) {
        Window w = held.get(streamId);
        return w == null ? 0 : w.restored.size();
    }

    private List<Frame> release(String id) {
        Window w = held.remove(id);
        List<Frame> out = new ArrayList<>();
        if (w == null) {
            return out;
        }
        float[][] backward = stabilizer.backwardMeans(w.restored);
        int k = w.restored.size();
        for (int i = 0; i < k; i++) {
            Frame forward = w.forward.get(i);
            float[] b = backward[i];
            boolean blended = forward.rgb() != null && w.counts.get(i) >= 1;
            out.add(!blended || b == null || b.length != forward.rgb().length ? forward
                    : forward.withPixels(twoSided(forward.rgb(), w.counts.get(i), b, k - i, w.restored.get(i).rgb())));
        }
        return out;
    }

    /**
     * A frame's average over its whole window where the window is still: the forward average
     * (FORWARD_COUNT frames up to it) joined to the backward one (BACKWARD_COUNT frames from it to the
     * window's end), the frame itself counted once. Where something moves both are the frame itself,
     * and so is this. At the window's last frame it is the forward average: the filter goes on from
     * there unchanged.
     */
    static float[] twoSided(float[] forward, int forwardCount, float[] backward, int backwardCount, float[] frame) {
        float[] out = new float[frame.length];
        double total = forwardCount + backwardCount - 1.0;
        double wf = forwardCount / total;
        double wb = backwardCount / total;
        double wr = 1.0 / total;
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (wf * forward[i] + wb * backward[i] - wr * frame[i]);
        }
        return out;
    }
}
