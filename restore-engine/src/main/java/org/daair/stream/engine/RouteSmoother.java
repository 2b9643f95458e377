package org.daair.stream.engine;

import java.util.HashMap;
import java.util.Map;

/**
 * Keeps the route of each stream from flickering between consecutive frames. The classifier's
 * probabilities are averaged over time (exponential moving average) and the route only changes
 * when another degradation leads the current one by a margin for several frames in a row
 * (hysteresis). The first frame of a stream takes its own argmax.
 */
public final class RouteSmoother {

    private final double smoothing;
    private final double margin;
    private final int holdFrames;
    private final Map<String, State> streams = new HashMap<>();

    private static final class State {
        double[] avg;
        int route;
        int challenger = -1;
        int streak;
    }

    /**
     * @param smoothing  EMA weight of the past (0 = no smoothing, 0.8 = slow)
     * @param margin     how much the challenger's average must exceed the current route's
     * @param holdFrames consecutive frames the challenger must lead before the route switches
     */
    public RouteSmoother(double smoothing, double margin, int holdFrames) {
        if (smoothing < 0 || smoothing >= 1 || margin < 0 || holdFrames < 1) {
            throw new IllegalArgumentException("need 0 <= smoothing < 1, margin >= 0, holdFrames >= 1");
        }
        this.smoothing = smoothing;
        this.margin = margin;
        this.holdFrames = holdFrames;
    }

    /** Feeds one frame's probabilities and returns the route (class index) for it. */
    public synchronized int update(String streamId, float[] probs) {
        State s = streams.get(streamId);
        if (s == null) {
            s = new State();
            s.avg = new double[probs.length];
            for (int i = 0; i < probs.length; i++) {
                s.avg[i] = probs[i];
            }
            s.route = argmax(s.avg);
            streams.put(streamId, s);
            return s.route;
        }
        for (int i = 0; i < probs.length; i++) {
            s.avg[i] = smoothing * s.avg[i] + (1 - smoothing) * probs[i];
        }
        int best = argmax(s.avg);
        if (best != s.route && s.avg[best] > s.avg[s.route] + margin) {
            s.streak = best == s.challenger ? s.streak + 1 : 1;
            s.challenger = best;
            if (s.streak >= holdFrames) {
                s.route = best;
                s.challenger = -1;
                s.streak = 0;
            }
        } else {
            s.challenger = -1;
            s.streak = 0;
        }
        return s.route;
    }

    public synchronized void forget(String streamId) {
        streams.remove(streamId);
    }

    static int argmax(float[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[b]) {
                b = i;
            }
        }
        return b;
    }

    static int argmax(double[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[b]) {
                b = i;
            }
        }
        return b;
    }
}
