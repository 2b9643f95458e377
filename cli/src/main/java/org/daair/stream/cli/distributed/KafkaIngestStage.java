package org.daair.stream.cli.distributed;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.ingest.FrameSource;
import org.daair.stream.kafka.FrameCodec;
import org.daair.stream.kafka.FramePublisher;
import org.daair.stream.kafka.KafkaFrames;
import org.daair.stream.kafka.PayloadEncoding;
import org.daair.stream.kafka.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes a source and publishes its description, its frames and an end-of-stream marker.
 *
 * <p>Every frame is published before the end-of-stream marker: a send that fails for a transient
 * reason (the broker restarting for longer than the producer's delivery timeout) is sent again,
 * with backoff, rather than dropped or ending the stream. The sink puts a frame sent again back in
 * its place.
 */
public final class KafkaIngestStage {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaIngestStage.class);

    private KafkaIngestStage() {
    }

    private record InFlight(Frame frame, Future<RecordMetadata> ack) {
    }

    /** @return the number of frames published */
    public static long run(KafkaFrames kafka, FrameSource source, PayloadEncoding encoding) throws IOException, InterruptedException {
        return run(kafka, source, encoding, null);
    }

    /** As above, recording decode latency and frames in (decoded) and out (published) in METRICS (may be null). */
    public static long run(KafkaFrames kafka, FrameSource source, PayloadEncoding encoding,
                           org.daair.stream.cli.metrics.PipelineMetrics metrics) throws IOException, InterruptedException {
        StreamInfo info = source.info();
        StreamDirectory.publish(kafka, info);
        long n = 0;
        Transient retry = new Transient(LOG, "ingest: publishing frames of " + info.streamId());
        ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
        try (FramePublisher out = kafka.publisher(Topics.FRAMES, FrameCodec.of(encoding))) {
            out.describe(info);
            while (true) {
                long d0 = System.nanoTime();
                Frame f = source.next();
                if (f == null) {
                    break;
                }
                n++;
                if (metrics != null) {
                    metrics.stage("decode", System.nanoTime() - d0);
                    metrics.frameIn(f.streamId());
                }
                // async: the producer's buffer is the backpressure; order per stream is kept (idempotent producer)
                long p0 = System.nanoTime();
                inFlight.addLast(new InFlight(f, send(out, f, retry)));
                if (metrics != null) {
                    metrics.stage("publish", System.nanoTime() - p0);
                    metrics.frameOut(f.streamId());
                }
                settle(out, inFlight, retry, false);
            }
            out.flush();
            settle(out, inFlight, retry, true);
            Frame end = Frame.endOfStream(info.streamId(), n);
            while (true) {
                try {
                    out.send(end);
                    break;
                } catch (KafkaException e) {
                    retry.failed(e);
                }
            }
        }
        return n;
    }

    private static Future<RecordMetadata> send(FramePublisher out, Frame f, Transient retry) throws InterruptedException {
        while (true) {
            try {
                return out.sendAsync(f, null, null);
            } catch (KafkaException e) {
                retry.failed(e);
            }
        }
    }

    /**
     * Drops the acknowledged frames at the head of IN_FLIGHT and sends the failed ones again; with
     * ALL, waits until every frame is acknowledged.
     */
    private static void settle(FramePublisher out, ArrayDeque<InFlight> inFlight, Transient retry, boolean all)
            throws InterruptedException {
        while (!inFlight.isEmpty() && (all || inFlight.peekFirst().ack().isDone())) {
            InFlight head = inFlight.removeFirst();
            try {
                head.ack().get();
                retry.succeeded();
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                retry.expired(c instanceof RuntimeException re ? re : new KafkaException(c));
                inFlight.addLast(new InFlight(head.frame(), send(out, head.frame(), retry)));
                if (all) {
                    out.flush();
                }
            }
        }
    }
}
