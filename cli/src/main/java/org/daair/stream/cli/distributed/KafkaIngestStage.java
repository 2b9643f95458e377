package org.daair.stream.cli.distributed;

import java.io.IOException;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.ingest.FrameSource;
import org.daair.stream.kafka.FrameCodec;
import org.daair.stream.kafka.FramePublisher;
import org.daair.stream.kafka.KafkaFrames;
import org.daair.stream.kafka.PayloadEncoding;
import org.daair.stream.kafka.Topics;

/** Decodes a source and publishes its description, its frames and an end-of-stream marker. */
public final class KafkaIngestStage {

    private KafkaIngestStage() {
    }

    /** @return the number of frames published */
    public static long run(KafkaFrames kafka, FrameSource source, PayloadEncoding encoding) throws IOException, InterruptedException {
        StreamInfo info = source.info();
        StreamDirectory.publish(kafka, info);
        long n = 0;
        try (FramePublisher out = kafka.publisher(Topics.FRAMES, FrameCodec.of(encoding))) {
            out.describe(info);
            for (Frame f; (f = source.next()) != null; n++) {
                // async: the producer's buffer is the backpressure; order per stream is kept (idempotent producer)
                out.sendAsync(f, null, null);
            }
            out.send(Frame.endOfStream(info.streamId(), n));
        }
        return n;
    }
}
