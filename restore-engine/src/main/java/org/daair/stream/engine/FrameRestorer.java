package org.daair.stream.engine;

import java.util.List;
import org.daair.stream.common.Frame;

/**
 * What a worker stage needs from a restorer: a route per frame, and restoration of a batch of
 * frames that share route and size. {@link RestoreEngine} is the real one; {@link ResilientRestorer}
 * wraps one with a circuit breaker, time limits and an output guard.
 */
public interface FrameRestorer {

    /** Route of frames that leave unrestored (live mode while inference is failing or late). */
    String PASSTHROUGH = "passthrough";

    /** The degradation to remove from this frame (or {@link #PASSTHROUGH}). */
    String route(Frame f);

    /** Restores frames that share route and size; returns them in the same order. */
    List<Frame> restore(String route, List<Frame> frames);

    /** The stream ended: drop its per-stream state. */
    void forgetStream(String streamId);
}
