package org.daair.stream.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.daair.stream.common.Frame;
import org.daair.stream.common.FrameChannel;
import org.daair.stream.common.InProcessTransport;
import org.daair.stream.common.ReorderBuffer;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.common.Transport;
import org.daair.stream.config.Settings;
import org.daair.stream.engine.Batcher;
import org.daair.stream.engine.EngineStage;
import org.daair.stream.engine.ResilientRestorer;
import org.daair.stream.engine.RestoreEngine;
import org.daair.stream.engine.Task;
import org.daair.stream.ingest.FrameSource;
import org.daair.stream.ingest.Sources;
import org.daair.stream.sink.FrameSink;
import org.daair.stream.sink.SinkOptions;
import org.daair.stream.sink.Sinks;

/**
 * The one-process topology, built in one place for the command line, the benchmark and the tests:
 * ingest thread -> "frames" channel -> engine stage thread -> "restored" channel -> sink (caller's
 * thread), over a {@link Transport} (in-process by default).
 *
 * <p>In file mode nothing is lost: a decode or encode error aborts the run, the partial output is
 * deleted by the sink, and the sink only commits after it has written exactly as many frames as
 * the source produced.
 */
public final class RestorePipeline {

    /** Topic names shared with the distributed mode. */
    public static final String FRAMES = "frames";
    public static final String RESTORED = "restored";

    private final Settings settings;
    private final Path modelDir;

    public RestorePipeline(Settings settings, Path modelDir) {
        this.settings = settings;
        this.modelDir = modelDir;
    }

    public RestoreEngine buildEngine() throws IOException {
        return buildEngine(settings.get("model.device"));
    }

    /** The engine on a given device (the CPU fallback uses "cpu"), with every other setting as configured. */
    public RestoreEngine buildEngine(String device) throws IOException {
        int threads = settings.getInt("model.threads");
        return RestoreEngine.builder()
                .setModelDir(modelDir)
                .optTask(Task.parse(settings.get("model.task")))
                .optDevice(device)
                .optThreads(threads > 0 ? threads : Runtime.getRuntime().availableProcessors())
                .optMaxBatch(settings.getInt("engine.max_batch"))
                .optTiling(settings.getInt("engine.tile_size"), settings.getInt("engine.tile_overlap"))
                .optRouteHysteresis(settings.getDouble("engine.route_smoothing"),
                        settings.getDouble("engine.route_switch_margin"), settings.getInt("engine.route_hold_frames"))
                .build();
    }

    public SinkOptions sinkOptions() {
        String encoder = settings.get("output.encoder");
        return SinkOptions.defaults()
                .withEncoder(encoder.isEmpty() ? null : encoder)
                .withBitrate(settings.getInt("output.bitrate_kbps") * 1000L)
                .withQuality(settings.getInt("output.quality"))
                .withLossless(settings.getBoolean("output.lossless"));
    }

    /**
     * Restores INPUT into OUTPUT.
     *
     * @param progress called with the number of frames written so far (may be null)
     * @param onStart  called with the source's stream info once it is open (may be null)
     */
    public RunSummary run(String input, String output, LongConsumer progress, java.util.function.Consumer<StreamInfo> onStart)
            throws IOException, InterruptedException {
        try (Transport transport = new InProcessTransport(settings.getInt("pipeline.queue_frames"))) {
            return run(input, output, progress, onStart, transport);
        }
    }

    /**
     * {@link #run(String, String, LongConsumer, java.util.function.Consumer)} over a transport the
     * caller owns (and closes): e.g. an {@link InProcessTransport} whose queue depths a monitor samples.
     */
    public RunSummary run(String input, String output, LongConsumer progress, java.util.function.Consumer<StreamInfo> onStart,
                          Transport transport) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        try (FrameSource source = Sources.open(input, "main");
             ResilientRestorer restorer = Resilience.wrap(buildEngine(), this, settings, Resilience.modeFor(input, settings))) {
            RestoreEngine engine = (RestoreEngine) restorer.primary();
            StreamInfo info = source.info();
            if (onStart != null) {
                onStart.accept(info);
            }
            FrameChannel frames = transport.channel(FRAMES);
            FrameChannel restored = transport.channel(RESTORED);
            AtomicReference<Throwable> ingestError = new AtomicReference<>();
            AtomicLong decodeNanos = new AtomicLong();
            Thread ingest = new Thread(() -> {
                long n = 0;
                try {
                    while (true) {
                        long d0 = System.nanoTime();
                        Frame f = source.next();
                        decodeNanos.addAndGet(System.nanoTime() - d0);
                        if (f == null) {
                            break;
                        }
                        frames.send(f);
                        n++;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Throwable e) {
                    ingestError.set(e);
                }
                try {
                    frames.send(Frame.endOfStream("main", n));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "daair-ingest");
            EngineStage stage = new EngineStage(restorer,
                    new Batcher(settings.getInt("engine.max_batch"), settings.getInt("engine.max_wait_ms")),
                    frames, restored, 1);
            Thread worker = new Thread(stage, "daair-engine");
            ingest.setDaemon(true);
            worker.setDaemon(true);
            ingest.start();
            worker.start();

            long encodeNanos = 0;
            long written = 0;
            try (FrameSink sink = Sinks.open(output, info, sinkOptions())) {
                ReorderBuffer order = new ReorderBuffer(0);
                while (true) {
                    Frame f = restored.poll(Duration.ofMillis(200));
                    if (f == null) {
                        if (stage.failure() != null) {
                            throw new IOException("restoration failed: " + stage.failure().getMessage(), stage.failure());
                        }
                        if (!worker.isAlive()) {
                            throw new IOException("the engine stopped before the end of the stream");
                        }
                        continue;
                    }
                    if (f.isEndOfStream()) {
                        if (ingestError.get() != null) {
                            Throwable e = ingestError.get();
                            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                        }
                        if (written != f.seq() || order.waiting() > 0) {
                            throw new IOException("lost frames: decoded " + f.seq() + ", encoded " + written);
                        }
                        break;
                    }
                    List<Frame> ready = order.add(f);
                    for (Frame r : ready) {
                        long e0 = System.nanoTime();
                        sink.write(r);
                        encodeNanos += System.nanoTime() - e0;
                        written++;
                    }
                    if (progress != null && !ready.isEmpty()) {
                        progress.accept(written);
                    }
                }
                long e0 = System.nanoTime();
                sink.finish();
                encodeNanos += System.nanoTime() - e0;
            } finally {
                ingest.interrupt();
                worker.interrupt();
                // the engine is closed next: the stage must be out of it first (a hung native call
                // is the restorer's to abandon; the stage thread itself answers the interrupt)
                worker.join(30_000);
            }
            return new RunSummary(written, (System.nanoTime() - t0) / 1e9, decodeNanos.get() / 1e9,
                    engine.classifyNanos() / 1e9, engine.modelNanos() / 1e9, encodeNanos / 1e9, engine.framesPerRoute(),
                    restorer.stats());
        }
    }
}
