package org.daair.stream.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.daair.stream.common.Frame;

/**
 * Groups frames by (route, width, height), the frames that can share one forward pass, and
 * releases a group when it is full or when its oldest frame has waited long enough. The wait
 * bound keeps latency low on live streams; the size bound keeps memory and batch time bounded.
 */
public final class Batcher {

    /** Frames of one group, ready to run together. */
    public record Batch(String route, int width, int height, List<Frame> frames) {
    }

    private record Key(String route, int width, int height) {
    }

    private static final class Group {
        final List<Frame> frames = new ArrayList<>();
        long firstNanos;
    }

    private final int maxBatch;
    private final long maxWaitNanos;
    private final Map<Key, Group> groups = new LinkedHashMap<>();

    public Batcher(int maxBatch, long maxWaitMillis) {
        if (maxBatch < 1 || maxWaitMillis < 0) {
            throw new IllegalArgumentException("need maxBatch >= 1 and maxWaitMillis >= 0");
        }
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWaitMillis * 1_000_000L;
    }

    /** Adds a routed frame; returns the batch it completed, or null. */
    public Batch add(Frame f, long nowNanos) {
        Key k = new Key(f.route(), f.width(), f.height());
        Group g = groups.computeIfAbsent(k, x -> new Group());
        if (g.frames.isEmpty()) {
            g.firstNanos = nowNanos;
        }
        g.frames.add(f);
        if (g.frames.size() >= maxBatch) {
            groups.remove(k);
            return new Batch(k.route, k.width, k.height, g.frames);
        }
        return null;
    }

    /** Batches whose oldest frame has waited at least maxWait. */
    public List<Batch> due(long nowNanos) {
        List<Batch> out = new ArrayList<>();
        for (Iterator<Map.Entry<Key, Group>> it = groups.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Group> e = it.next();
            if (nowNanos - e.getValue().firstNanos >= maxWaitNanos) {
                out.add(new Batch(e.getKey().route, e.getKey().width, e.getKey().height, e.getValue().frames));
                it.remove();
            }
        }
        return out;
    }

    /** Everything still waiting (end of stream). */
    public List<Batch> drain() {
        List<Batch> out = new ArrayList<>();
        groups.forEach((k, g) -> out.add(new Batch(k.route, k.width, k.height, g.frames)));
        groups.clear();
        return out;
    }

    /** Nanoseconds until the oldest group is due, or -1 if nothing waits. */
    public long nanosUntilDue(long nowNanos) {
        long best = -1;
        for (Group g : groups.values()) {
            long left = Math.max(0, g.firstNanos + maxWaitNanos - nowNanos);
            best = best < 0 ? left : Math.min(best, left);
        }
        return best;
    }

    public int waiting() {
        return groups.values().stream().mapToInt(g -> g.frames.size()).sum();
    }
}
