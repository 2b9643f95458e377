package org.daair.stream.cli.metrics;

import java.util.List;
import org.daair.stream.common.Frame;
import org.daair.stream.engine.FrameRestorer;

/**
 * A {@link FrameRestorer} that times what it wraps: {@code classify} per frame (the route
 * decision) and {@code model} per batch, with batch sizes and frames per route.
 */
public final class MeteredRestorer implements FrameRestorer {

    private final FrameRestorer inner;
    private final PipelineMetrics metrics;

    public MeteredRestorer(FrameRestorer inner, PipelineMetrics metrics) {
        this.inner = inner;
        this.metrics = metrics;
    }

    @Override
    public String route(Frame f) {
        long t0 = System.nanoTime();
        String r = inner.route(f);
        metrics.stage("classify", System.nanoTime() - t0);
        return r;
    }

    @Override
    public List<Frame> restore(String route, List<Frame> frames) {
        long t0 = System.nanoTime();
        List<Frame> out = inner.restore(route, frames);
        metrics.stage("model", System.nanoTime() - t0);
        metrics.batch(route, frames.size());
        return out;
    }

    @Override
    public void forgetStream(String streamId) {
        inner.forgetStream(streamId);
    }
}
