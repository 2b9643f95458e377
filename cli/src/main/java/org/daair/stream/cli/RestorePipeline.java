package org.daair.stream.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
import org.daair.stream.engine.FrameRestorer;
import org.daair.stream.engine.ResilientRestorer;
import org.daair.stream.engine.RestoreEngine;
import org.daair.stream.engine.Task;
import java.nio.file.Files;
import org.daair.stream.ingest.FrameSource;
import org.daair.stream.ingest.ImageSource;
import org.daair.stream.ingest.LiveSource;
import org.daair.stream.ingest.SourceException;
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
    private volatile boolean stopRequested;
    private volatile FrameSource current;
    private volatile java.util.function.Consumer<Frame> onWritten;
    private volatile org.daair.stream.cli.metrics.PipelineMetrics metrics;
    private volatile java.util.function.Consumer<Frame> onDecoded;
    private volatile java.util.function.Consumer<org.daair.stream.engine.RouteDecision> onRouted;
    private volatile SinkOpener sinkOpener = Sinks::open;

    /** Opens the output of {@link #run}; {@link Sinks#open} unless replaced (previews, reports). */
    @FunctionalInterface
    public interface SinkOpener {
        FrameSink open(String output, StreamInfo info, SinkOptions options) throws IOException;
    }

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
                .optGpu(gpuOptions())
                .optThreads(threads > 0 ? threads : Runtime.getRuntime().availableProcessors())
                .optMaxBatch(settings.getInt("engine.max_batch"))
                .optTiling(settings.getInt("engine.tile_size"), settings.getInt("engine.tile_overlap"))
                .optCoarseSide(settings.getInt("engine.coarse_side"))
                .optCoarseGuard(settings.getBoolean("engine.coarse_guard"))
                .optCoarseGuardGap(settings.getDouble("engine.coarse_guard_gap"))
                .optRouteHysteresis(settings.getDouble("engine.route_smoothing"),
                        settings.getDouble("engine.route_switch_margin"), settings.getInt("engine.route_hold_frames"))
                .optRouteListener(onRouted)
                .build();
    }

    /**
     * Ends a running live restoration cleanly: the source stops, what was restored is written and
     * the output is finished (Ctrl-C on a camera recording keeps the recording). File inputs are
     * not affected (an interrupted file job leaves no half-written output).
     *
     * @return true when a live run was asked to stop
     */
    public boolean requestStop() {
        stopRequested = true;
        if (current instanceof LiveSource live) {
            live.stop();
            return true;
        }
        return false;
    }

    /**
     * Called by {@link #run} with every frame after the sink wrote it (its route says how it was
     * restored, {@code passthrough} when it went out as it came in); for reports and tests.
     */
    public void onWritten(java.util.function.Consumer<Frame> listener) {
        this.onWritten = listener;
    }

    /** Records {@link #run}'s frames, stage latencies, queue depths and faults in METRICS (null: none). */
    public void metrics(org.daair.stream.cli.metrics.PipelineMetrics m) {
        this.metrics = m;
    }

    /**
     * The temporal stabiliser the {@code temporal.*} settings ask for on this source: on video
     * (files, live streams, pipes) with {@code stabilize: auto}, never on image folders, whose
     * images are unrelated; null when off.
     */
    org.daair.stream.engine.TemporalStabilizer stabilizerFor(FrameSource source) {
        return stabilizer(!(source instanceof ImageSource));
    }

    /** The stabiliser for a stream that is video (or not: stills are never blended under auto); null when off. */
    public org.daair.stream.engine.TemporalStabilizer stabilizer(boolean video) {
        String mode = settings.get("temporal.stabilize");
        boolean on = mode.equals("on") || (mode.equals("auto") && video);
        double strength = settings.getDouble("temporal.strength");
        return on && strength > 0 ? newStabilizer(settings) : null;
    }

    /**
     * Longest wait of the stabiliser for the next input frame, whose look-ahead completes a frame's
     * motion test. Decoding runs ahead of restoration, so in file mode it ends at once; a live
     * source that stalls delays one frame by at most this.
     */
    static final long LOOKAHEAD_WAIT_MS = 200;

    /** A stabiliser as the {@code temporal.*} settings describe it (whether it is on aside). */
    public static org.daair.stream.engine.TemporalStabilizer newStabilizer(Settings settings) {
        return newStabilizer(settings, settings.getBoolean("temporal.motion_compensation"), settings.getDouble("temporal.level_strength"));
    }

    /**
     * The same, with motion compensation and the level strength as given whatever the settings say
     * (the bench times each with and without).
     */
    static org.daair.stream.engine.TemporalStabilizer newStabilizer(Settings settings, boolean motionCompensation, double levelStrength) {
        return new org.daair.stream.engine.TemporalStabilizer(settings.getDouble("temporal.strength"),
                settings.getDouble("temporal.motion_threshold"), settings.getInt("temporal.motion_radius"),
                settings.getDouble("temporal.motion_floor"), LOOKAHEAD_WAIT_MS, motionCompensation, levelStrength);
    }

    /** The model.engine / precision / engine_cache / gpu_index settings. */
    public org.daair.stream.engine.GpuOptions gpuOptions() {
        var b = org.daair.stream.engine.GpuOptions.builder()
                .optProvider(org.daair.stream.engine.GpuOptions.Provider.parse(settings.get("model.engine")))
                .optPrecision(settings.get("model.precision"))
                .optDeviceId(settings.getInt("model.gpu_index"));
        if (!settings.get("model.engine_cache").isEmpty()) {
            b.optCacheDir(Path.of(settings.get("model.engine_cache")));
        }
        return b.build();
    }

    /**
     * Called by {@link #run} on the decoding thread with every input frame before it goes to the
     * engine (the original pixels, which the engine's output replaces); for previews and reports.
     * It may block to bound what it keeps: the decoder then waits, as it does for a full queue.
     */
    public void onDecoded(java.util.function.Consumer<Frame> listener) {
        this.onDecoded = listener;
    }

    /** Told how each frame was routed and the classifier's confidence (engines built after this call). */
    public void onRouted(java.util.function.Consumer<org.daair.stream.engine.RouteDecision> listener) {
        this.onRouted = listener;
    }

    /** Replaces how {@link #run} opens its output (a preview composes frames, a report may keep none). */
    public void sinkOpener(SinkOpener opener) {
        this.sinkOpener = java.util.Objects.requireNonNull(opener);
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
        int queue = settings.getInt("pipeline.queue_frames");
        if (LiveInputs.reconnects(input, settings)) {
            // frames queued in front of the engine are latency on a live input: keep the queue short
            // (the live source drops the oldest frames beyond it)
            queue = Math.min(queue, settings.getInt("live.queue_frames"));
        }
        try (Transport transport = new InProcessTransport(queue)) {
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
        Path createdFolder = firstMissingFolder(output);
        boolean ok = false;
        try {
            RunSummary s = runInternal(input, output, progress, onStart, t0, transport);
            ok = true;
            return s;
        } finally {
            if (!ok && createdFolder != null) {
                removeEmptyFolders(createdFolder);
            }
        }
    }

    /**
     * Refuses inputs the model cannot take before anything is opened for writing: frames (or any
     * image of a folder) smaller than {@link RestoreEngine#MIN_SIDE}.
     */
    static void checkInputSize(FrameSource source) throws IOException {
        if (source instanceof ImageSource images) {
            images.requireMinSide(RestoreEngine.MIN_SIDE, "the model");
            return;
        }
        StreamInfo info = source.info();
        if (info.width() > 0 && info.height() > 0
                && (info.width() < RestoreEngine.MIN_SIDE || info.height() < RestoreEngine.MIN_SIDE)) {
            throw new SourceException("input '" + info.source() + "' has " + info.width() + "x" + info.height()
                    + " frames: the model needs at least " + RestoreEngine.MIN_SIDE + "x" + RestoreEngine.MIN_SIDE
                    + " pixels; upscale it first (ffmpeg -vf scale=...)");
        }
    }

    /**
     * The outermost folder of OUTPUT's parents that does not exist yet (the sinks create it), or
     * null: a failed run removes it again if it holds nothing, so a bad input leaves no trace.
     */
    static Path firstMissingFolder(String output) {
        if (output == null || output.equals("-") || Sinks.isUrl(output)) {
            return null;
        }
        Path p;
        try {
            p = Path.of(output).toAbsolutePath().normalize();
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
        Path missing = null;
        // an output without extension may be the image folder itself
        for (Path q = p; q != null && !Files.exists(q); q = q.getParent()) {
            missing = q;
        }
        return missing;
    }

    private static void joinQuietly(Thread t, long millis) {
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeEmptyFolders(Path top) {
        if (!Files.isDirectory(top)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(top)) {
            List<Path> all = walk.sorted(java.util.Comparator.reverseOrder()).toList();
            if (all.stream().allMatch(Files::isDirectory)) {
                for (Path d : all) {
                    Files.deleteIfExists(d);
                }
            }
        } catch (IOException ignored) {
            // best effort: an empty folder is harmless
        }
    }

    private RunSummary runInternal(String input, String output, LongConsumer progress,
                                   java.util.function.Consumer<StreamInfo> onStart, long t0, Transport transport)
            throws IOException, InterruptedException {
        try (FrameSource source = LiveInputs.open(input, "main", settings);
             ResilientRestorer restorer = Resilience.wrap(buildEngine(), this, settings, Resilience.modeFor(input, settings))) {
            RestoreEngine engine = (RestoreEngine) restorer.primary();
            checkInputSize(source);
            StreamInfo info = source.info();
            current = source;
            org.daair.stream.engine.TemporalStabilizer stabilizer = stabilizerFor(source);
            // files start the filter warm, and again after a scene cut; a live stream would wait that
            // many frames, so it starts cold (a warm start of no frames is the stabiliser alone)
            boolean fileMode = Resilience.modeFor(input, settings) == ResilientRestorer.Mode.FILE;
            org.daair.stream.engine.WarmStart warm = stabilizer == null ? null
                    : new org.daair.stream.engine.WarmStart(stabilizer, fileMode ? settings.getInt("temporal.warm_start") : 0);
            if (stopRequested) {
                requestStop();
            }
            if (onStart != null) {
                onStart.accept(info);
            }
            FrameChannel frames = transport.channel(FRAMES);
            FrameChannel restored = transport.channel(RESTORED);
            AtomicReference<Throwable> ingestError = new AtomicReference<>();
            AtomicLong decodeNanos = new AtomicLong();
            org.daair.stream.cli.metrics.PipelineMetrics m = metrics;
            // when each frame entered the pipeline (decoded), for the end-to-end latency
            java.util.concurrent.ConcurrentHashMap<Long, Long> entered = new java.util.concurrent.ConcurrentHashMap<>();
            FrameRestorer staged = restorer;
            if (m != null) {
                m.watchRestorer(restorer);
                m.engineInfo(settings.get("model.device"), settings.get("model.task"), modelDir.getFileName().toString());
                if (transport instanceof InProcessTransport t) {
                    m.watchQueue(FRAMES, () -> t.depth(FRAMES));
                    m.watchQueue(RESTORED, () -> t.depth(RESTORED));
                }
                if (source instanceof LiveSource live) {
                    m.watchLive(live::stats);
                }
                staged = new org.daair.stream.cli.metrics.MeteredRestorer(restorer, m);
            }
            java.util.function.Consumer<Frame> decodedListener = onDecoded;
            Thread ingest = new Thread(() -> {
                long n = 0;
                try {
                    while (true) {
                        long d0 = System.nanoTime();
                        Frame f = source.next();
                        long d1 = System.nanoTime();
                        decodeNanos.addAndGet(d1 - d0);
                        if (f == null) {
                            break;
                        }
                        if (m != null) {
                            m.stage("decode", d1 - d0);
                            m.frameIn(f.streamId());
                            entered.put(f.seq(), d1);
                        }
                        if (decodedListener != null) {
                            decodedListener.accept(f);
                        }
                        if (stabilizer != null) {
                            stabilizer.observeInput(f);   // in decoding order: the input's own motion
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
                if (stabilizer != null) {
                    stabilizer.observeInput(Frame.endOfStream("main", n));   // no look-ahead will come
                }
                try {
                    frames.send(Frame.endOfStream("main", n));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "daair-ingest");
            EngineStage stage = new EngineStage(staged,
                    new Batcher(settings.getInt("engine.max_batch"), settings.getInt("engine.max_wait_ms")),
                    frames, restored, 1);
            Thread worker = new Thread(stage, "daair-engine");
            ingest.setDaemon(true);
            worker.setDaemon(true);
            ingest.start();
            worker.start();

            long encodeNanos = 0;
            long written = 0;
            try (FrameSink sink = sinkOpener.open(output, info, sinkOptions())) {
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
                    List<Frame> ready = new ArrayList<>();
                    if (f.isEndOfStream()) {
                        if (ingestError.get() != null) {
                            Throwable e = ingestError.get();
                            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                        }
                        if (warm != null) {
                            // what the warm start still holds (a short stream, a cut near the end) goes out now
                            warm.apply(f).stream().filter(r -> !r.isEndOfStream()).forEach(ready::add);
                        }
                    } else {
                        // in order, before encoding: the stabiliser needs each stream's previous output
                        for (Frame restoredFrame : order.add(f)) {
                            if (warm != null) {
                                ready.addAll(warm.apply(restoredFrame));
                            } else {
                                ready.add(restoredFrame);
                            }
                        }
                    }
                    java.util.function.Consumer<Frame> listener = onWritten;
                    for (Frame r : ready) {
                        long e0 = System.nanoTime();
                        sink.write(r);
                        long e1 = System.nanoTime();
                        encodeNanos += e1 - e0;
                        written++;
                        if (m != null) {
                            m.stage("encode", e1 - e0);
                            m.frameOut(r.streamId());
                            Long in = entered.remove(r.seq());
                            if (in != null) {
                                m.endToEnd(e1 - in);
                            }
                        }
                        if (listener != null) {
                            listener.accept(r);
                        }
                    }
                    if (progress != null && !ready.isEmpty()) {
                        progress.accept(written);
                    }
                    if (f.isEndOfStream()) {
                        if (written != f.seq() || order.waiting() > 0) {
                            throw new IOException("lost frames: decoded " + f.seq() + ", encoded " + written);
                        }
                        break;
                    }
                }
                long e0 = System.nanoTime();
                sink.finish();
                encodeNanos += System.nanoTime() - e0;
            } finally {
                ingest.interrupt();
                worker.interrupt();
                // The engine and the source are closed next (try-with-resources): wait until no thread
                // is inside ONNX Runtime or FFmpeg, whose native code aborts the JVM on a closed session.
                joinQuietly(worker, 120_000);
                joinQuietly(ingest, 30_000);
            }
            return new RunSummary(written, (System.nanoTime() - t0) / 1e9, decodeNanos.get() / 1e9,
                    engine.classifyNanos() / 1e9, engine.modelNanos() / 1e9, encodeNanos / 1e9, engine.framesPerRoute(),
                    restorer.stats(), source instanceof LiveSource live ? live.stats() : null);
        }
    }

    /** What a live run did: frames written, how many of them as originals at the deadline, restored
     * frames that came too late and were dropped, wall time. */
    public record LiveSummary(long written, long passedThrough, long lateRestored, double seconds) {
    }

    /**
     * Live mode, in one process: SOURCE delivers frames in real time and is never held back (a
     * camera does not wait; frames queue without bound in front of the engine, as on a Kafka
     * topic), and a frame whose restored version has not reached the sink DEADLINE after its
     * arrival is written as it came in, so the output never stalls behind a slow model (its
     * restored version is then dropped). The run ends when every frame has been written; the
     * engine's backlog is abandoned (the engine stage is stopped and joined, not the engine closed).
     *
     * @param engine    warmed up by the caller, who closes it
     * @param onWritten called after each frame is written, with true for an original at the deadline (may be null)
     */
    public LiveSummary runLive(FrameSource source, RestoreEngine engine, String output, Duration deadline,
                               java.util.function.BiConsumer<Frame, Boolean> onWritten) throws IOException, InterruptedException {
        record Arrival(Frame frame, long nanos) {
        }
        long t0 = System.nanoTime();
        StreamInfo info = source.info();
        try (Transport transport = new InProcessTransport(settings.getInt("pipeline.queue_frames"))) {
            FrameChannel frames = transport.channel(FRAMES);
            FrameChannel restored = transport.channel(RESTORED);
            java.util.concurrent.LinkedBlockingQueue<Arrival> arrivals = new java.util.concurrent.LinkedBlockingQueue<>();
            java.util.concurrent.LinkedBlockingQueue<Frame> backlog = new java.util.concurrent.LinkedBlockingQueue<>();
            AtomicReference<Throwable> ingestError = new AtomicReference<>();
            Thread ingest = new Thread(() -> {
                long n = 0;
                try {
                    for (Frame f; (f = source.next()) != null; n++) {
                        arrivals.add(new Arrival(f, System.nanoTime()));
                        backlog.add(f);
                    }
                } catch (Throwable e) {
                    ingestError.set(e);
                }
                Frame end = Frame.endOfStream(info.streamId(), n);
                arrivals.add(new Arrival(end, System.nanoTime()));
                backlog.add(end);
            }, "daair-live-ingest");
            Thread feeder = new Thread(() -> {
                try {
                    Frame f;
                    do {
                        f = backlog.take();
                        frames.send(f);
                    } while (!f.isEndOfStream());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "daair-live-feeder");
            EngineStage stage = new EngineStage(engine,
                    new Batcher(settings.getInt("engine.max_batch"), settings.getInt("engine.max_wait_ms")),
                    frames, restored, 1);
            Thread worker = new Thread(stage, "daair-engine");
            for (Thread t : List.of(ingest, feeder, worker)) {
                t.setDaemon(true);
                t.start();
            }
            long written = 0;
            long passed = 0;
            long late = 0;
            long expected = -1;
            java.util.TreeMap<Long, Arrival> originals = new java.util.TreeMap<>();
            try (FrameSink sink = Sinks.open(output, info, sinkOptions())) {
                ReorderBuffer order = new ReorderBuffer(0);
                while (expected < 0 || written < expected) {
                    for (Arrival a; (a = arrivals.poll()) != null; ) {
                        if (a.frame().isEndOfStream()) {
                            if (ingestError.get() != null) {
                                Throwable e = ingestError.get();
                                throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                            }
                            expected = a.frame().seq();
                        } else {
                            originals.put(a.frame().seq(), a);
                        }
                    }
                    for (Frame f = restored.poll(Duration.ofMillis(5)); f != null; f = restored.poll(Duration.ZERO)) {
                        if (f.isEndOfStream()) {
                            continue; // the count comes from the source side, which does not wait for the engine
                        }
                        if (order.isDuplicate(f)) {
                            late++;
                            continue;
                        }
                        for (Frame r : order.add(f)) {
                            sink.write(r);
                            written++;
                            if (onWritten != null) {
                                onWritten.accept(r, false);
                            }
                        }
                    }
                    // the next frame is late: write it as it came in rather than stall the stream
                    long now = System.nanoTime();
                    Arrival next;
                    while ((next = originals.get(order.nextExpected())) != null && now - next.nanos() > deadline.toNanos()) {
                        passed++;
                        for (Frame r : order.add(next.frame())) {
                            sink.write(r);
                            written++;
                            if (onWritten != null) {
                                onWritten.accept(r, r == next.frame());
                            }
                        }
                    }
                    originals.headMap(order.nextExpected()).clear();
                    if (stage.failure() != null) {
                        throw new IOException("restoration failed: " + stage.failure().getMessage(), stage.failure());
                    }
                }
                sink.finish();
            } finally {
                ingest.interrupt();
                feeder.interrupt();
                worker.interrupt();
                // the engine must not be closed (by the caller) while the stage still runs it
                worker.join();
                feeder.join();
                ingest.join();
            }
            return new LiveSummary(written, passed, late, (System.nanoTime() - t0) / 1e9);
        }
    }
}
