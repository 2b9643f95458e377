package org.daair.stream.cli.distributed;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.LongConsumer;
import org.daair.stream.common.Frame;
import org.daair.stream.common.ReorderBuffer;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.kafka.FrameSubscriber;
import org.daair.stream.kafka.KafkaFrames;
import org.daair.stream.kafka.ReceivedFrame;
import org.daair.stream.kafka.Topics;
import org.daair.stream.sink.FrameSink;
import org.daair.stream.sink.SinkOptions;
import org.daair.stream.sink.Sinks;

/**
 * Consumes one stream's restored frames, drops repeats (at-least-once delivery), puts them back in
 * order and encodes them. The output is committed (renamed into place) only when every frame up
 * to the end-of-stream marker's count has been written.
 */
public final class KafkaSinkStage {

    /** What the sink did. */
    public record Result(long written, long duplicates) {
    }

    private KafkaSinkStage() {
    }

    public static Result run(KafkaFrames kafka, String streamId, String output, SinkOptions opts,
                             Duration idleTimeout, LongConsumer progress) throws IOException {
        StreamInfo info = StreamDirectory.lookup(kafka, streamId, idleTimeout);
        long written = 0;
        long duplicates = 0;
        long expected = -1;
        try (FrameSubscriber in = kafka.subscriber(Topics.RESTORED, "daair-sink-" + streamId).onlyStream(streamId);
             FrameSink sink = Sinks.open(output, info, opts)) {
            ReorderBuffer order = new ReorderBuffer(0);
            long lastNews = System.nanoTime();
            while (expected < 0 || written < expected) {
                List<ReceivedFrame> got = in.poll(Duration.ofMillis(200));
                if (got.isEmpty()) {
                    if (System.nanoTime() - lastNews > idleTimeout.toNanos()) {
                        throw new IOException("no restored frames of stream '" + streamId + "' for " + idleTimeout.toSeconds()
                                + " s (is a worker running? './daair worker --bootstrap " + kafka.bootstrapServers() + "')");
                    }
                    continue;
                }
                lastNews = System.nanoTime();
                for (ReceivedFrame rf : got) {
                    Frame f = rf.frame();
                    if (f.isEndOfStream()) {
                        expected = f.seq();
                        continue;
                    }
                    if (order.isDuplicate(f)) {
                        duplicates++;
                        continue;
                    }
                    for (Frame r : order.add(f)) {
                        sink.write(r);
                        written++;
                    }
                    if (progress != null) {
                        progress.accept(written);
                    }
                }
            }
            if (order.waiting() > 0) {
                throw new IOException("stream '" + streamId + "' ended with " + order.waiting() + " frames after a gap");
            }
            sink.finish();
            in.commit();
        }
        return new Result(written, duplicates);
    }
}
