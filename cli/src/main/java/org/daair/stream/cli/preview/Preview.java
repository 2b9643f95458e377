package org.daair.stream.cli.preview;

import org.daair.stream.cli.RestorePipeline;
import org.daair.stream.config.Settings;
import org.daair.stream.sink.Sinks;

/** Turns a {@link RestorePipeline} run into a preview: inputs are kept as they are decoded, and the output gets the composed frames. */
public final class Preview {

    private Preview() {
    }

    public static void attach(RestorePipeline pipeline, PreviewMode mode, Settings settings) {
        // enough for every frame that can be between the decoder and the sink (both queues, a batch
        // per degradation, the reorder buffer), so the bound only holds back a runaway decoder
        int capacity = 2 * settings.getInt("pipeline.queue_frames") + 8 * settings.getInt("engine.max_batch") + 16;
        OriginalFrames originals = new OriginalFrames(capacity);
        PreviewLayout layout = new PreviewLayout(mode);
        pipeline.onDecoded(originals::put);
        pipeline.sinkOpener((output, info, options) ->
                new PreviewSink(Sinks.open(output, PreviewSink.previewInfo(info, layout), options), originals, layout));
    }
}
