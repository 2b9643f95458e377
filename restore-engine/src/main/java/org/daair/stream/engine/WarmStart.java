package org.daair.stream.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.daair.stream.common.Frame;

/**
 * A {@link TemporalStabilizer} whose streams start warm: the first {@code frames} restored frames
 * of each stream are held until all of them are restored, and each comes out as the average of
 * all of them where they are still: the filter's own forward average of the frames up to it
 * joined to a backward one of the frames after it ({@link TemporalStabilizer#backwardMeans}).
 * The filter itself runs as from a cold start, so from frame {@code frames} on the output is the
 * same as without.
 *
 * <p>Why: a recursive filter that starts cold outputs the mean of the frames so far, so its first
 * outputs change by a half, a third, a quarter ... of the restored frames' residual noise, and the
 * first frame is not averaged at all; the temporal clip's first five frames were 0.17x of its 1.79x
 * flicker (session 15).
 *
 * <p>For files only: the first output waits for {@code frames} restorations, which a file's decoder
 * and engine run ahead to anyway, but a live stream would see as that much more latency. Frames
 * still come out one for one and in order; a stream's end releases what is held.
 */
public final class WarmStart {
    private final TemporalStabilizer stabilizer;
    private final int frames;
    private final long budgetBytes;
    private final Map<String, List<Frame>> held = new HashMap<>();
    private final Map<String, Integer> target = new HashMap<>();
    private final Set<String> started = new HashSet<>();

    /**
     * @param frames how many restored frames the start averages (1 or less: none are held, the
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
     * How many frames of this size the start holds: FRAMES, or fewer where the held frames and
     * their backward averages (two float copies each) would take more than the budget (with an
     * eighth of a 6 GiB heap, 15 frames of 1080p, 3 of 4K).
     */
    int startFrames(Frame f) {
        long bytes = 2L * Float.BYTES * f.rgb().length;
        return (int) Math.min(frames, budgetBytes / Math.max(1, bytes));
    }

    /**
     * Restored frame F of its stream, in order (or the stream's end); the stabilised frames now
     * ready, in order: none while the start is held, then all of the start at once, then one per frame.
     */
    public List<Frame> apply(Frame f) {
        String id = f.streamId();
        if (f.isEndOfStream()) {
            List<Frame> out = release(id);
            out.add(stabilizer.apply(f));
            started.remove(id);
            target.remove(id);
            return out;
        }
        if (started.contains(id)) {
            return List.of(stabilizer.apply(f));
        }
        int want = target.computeIfAbsent(id, k -> startFrames(f));
        if (want <= 1) {
            started.add(id);
            return List.of(stabilizer.apply(f));
        }
        List<Frame> start = held.computeIfAbsent(id, k -> new ArrayList<>());
        start.add(f);
        return start.size() < want ? List.of() : release(id);
    }

    /** How many frames are held for STREAM (its start not yet released). */
    public int held(String streamId) {
        List<Frame> start = held.get(streamId);
        return start == null ? 0 : start.size();
    }

    private List<Frame> release(String id) {
        List<Frame> start = held.remove(id);
        List<Frame> out = new ArrayList<>();
        if (start == null || start.isEmpty()) {
            return out;
        }
        started.add(id);
        float[][] backward = stabilizer.backwardMeans(start);
        int k = start.size();
        for (int t = 0; t < k; t++) {
            Frame restored = start.get(t);
            // the filter runs as from a cold start, so from frame k on nothing differs from one
            Frame forward = stabilizer.apply(restored);
            float[] b = backward[t];
            out.add(b == null || b.length != forward.rgb().length ? forward
                    : forward.withPixels(twoSided(forward.rgb(), b, restored.rgb(), t, k)));
        }
        return out;
    }

    /**
     * Frame t's average over all K frames of the start where they are still: the forward average
     * of frames 0..t (t + 1 of them) joined to the backward one of t..k-1 (k - t), frame t counted
     * once. Where something moves both are the frame itself, and so is this. At t = k - 1 it is the
     * forward average: the filter goes on from there unchanged.
     */
    static float[] twoSided(float[] forward, float[] backward, float[] frame, int t, int k) {
        float[] out = new float[frame.length];
        double wf = (t + 1.0) / k;
        double wb = (double) (k - t) / k;
        double wr = 1.0 / k;
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (wf * forward[i] + wb * backward[i] - wr * frame[i]);
        }
        return out;
    }
}
