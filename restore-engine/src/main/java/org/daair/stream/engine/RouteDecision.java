package org.daair.stream.engine;

/**
 * How one frame was routed, for reports: the degradation chosen (after smoothing over time) and
 * how sure the classifier was of it.
 *
 * @param streamId   the frame's stream
 * @param seq        the frame's position in its stream
 * @param route      the degradation chosen for the frame
 * @param confidence the classifier's probability of {@code route} for this very frame, in [0, 1];
 *                   NaN when no classifier ran (a task was forced with {@code --task})
 */
public record RouteDecision(String streamId, long seq, String route, double confidence) {

    /** True when the route came from the classifier rather than a forced task. */
    public boolean classified() {
        return !Double.isNaN(confidence);
    }
}
