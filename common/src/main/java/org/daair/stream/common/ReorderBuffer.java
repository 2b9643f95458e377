package org.daair.stream.common;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Puts frames back into stream order: batching per degradation lets frames finish out of order,
 * and the encoder needs them in order. Holds frames until every earlier one has arrived.
 */
public final class ReorderBuffer {

    private final TreeMap<Long, Frame> pending = new TreeMap<>();
    private long next;

    public ReorderBuffer(long firstSeq) {
        this.next = firstSeq;
    }

    /** Adds a frame and returns the frames that are now ready, in order (possibly none). */
    public List<Frame> add(Frame frame) {
        if (frame.seq() < next || pending.containsKey(frame.seq())) {
            throw new IllegalStateException("frame " + frame.seq() + " of " + frame.streamId() + " arrived twice");
        }
        pending.put(frame.seq(), frame);
        List<Frame> ready = new ArrayList<>();
        while (!pending.isEmpty() && pending.firstKey() == next) {
            ready.add(pending.pollFirstEntry().getValue());
            next++;
        }
        return ready;
    }

    /** True if this frame was already released or is waiting: an at-least-once transport's repeat. */
    public boolean isDuplicate(Frame frame) {
        return frame.seq() < next || pending.containsKey(frame.seq());
    }

    public long nextExpected() {
        return next;
    }

    public int waiting() {
        return pending.size();
    }
}
