package org.daair.stream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.config.Settings;
import org.daair.stream.engine.RestoreEngine;
import org.daair.stream.ingest.FrameSource;
import org.daair.stream.ingest.Sources;
import org.daair.stream.sink.FrameSink;
import org.daair.stream.sink.SinkOptions;
import org.daair.stream.sink.Sinks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Model-only fps and whole-pipeline fps measured side by side in one run, on the same frames:
 * their ratio is the pipeline's efficiency (1.0 = decoding, queues and encoding cost nothing).
 * Then live mode: the same frames released in real time, end-to-end latency per frame (release to
 * written) and how many frames the sink had to pass through at the deadline.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        header = "Model-only and whole-pipeline fps side by side, latency, memory.",
        description = {"Benchmark: model-only fps and whole-pipeline fps side by side, their ratio,",
                "end-to-end latency per frame in live mode, peak memory.", "",
                "For each height, the input clip is scaled (16:9 kept) and written to a",
                "temporary video; model-only runs the engine (classification + restoration) on",
                "the decoded frames in memory; pipeline runs 'restore' on the temporary video",
                "(decode, queues, engine, encode); with --kafka the same video also goes through",
                "Kafka (ingest, worker, sink; broker in-process).", "",
                "Live mode (then, on a warmed-up engine): the decoded frames are released at a",
                "fixed pace, as a camera delivers them, and never held back (they queue in front",
                "of the engine); the sink writes each frame restored or, when its restored",
                "version is not there DEADLINE after the frame's release, as it came in (passed",
                "through), so the output never stalls. Latency = from a frame's release to its",
                "being written by the sink; p50 and p99 are nearest-rank percentiles over the",
                "run's frames (with few frames, p99 is the slowest). Measured in-process and,",
                "with --kafka, through Kafka (there the deadline counts from the sink's receipt",
                "of the original, the latency still from the release).",
                "Pace 'auto' (default): 0.8 x the slowest fps measured above for that size, a",
                "rate this machine sustains, so latency is the cost of restoring a frame live.",
                "Pace 'source': the clip's frame rate; a slow CPU cannot keep up, most frames are",
                "passed through and latency is about the deadline ('passed through' says how",
                "many). The deadline defaults to 3 frame intervals at the pace (3 / pace s).", ""})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--input", paramLabel = "VIDEO", description = "clip to measure on (default: samples/car-park-rain.mp4)")
    String input;

    @Option(names = "--heights", split = ",", paramLabel = "H", description = "frame heights (default: 480,720)")
    List<Integer> heights = List.of(480, 720);

    @Option(names = "--frames", paramLabel = "N", description = "frames per measurement (default: 24)")
    int frames = 24;

    @Option(names = "--live-fps", paramLabel = "FPS",
            description = "live mode's release rate: auto (default: 0.8 x the slowest fps measured for the size), "
                    + "source (the clip's frame rate), a number, or off (no live measurement)")
    String liveFps = "auto";

    @Option(names = "--live-deadline-ms", paramLabel = "MS",
            description = "live mode: a frame not restored this long after its release is written as it came in (default: 3 frame intervals at the pace)")
    Integer liveDeadlineMs;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON to FILE")
    Path json;

    @picocli.CommandLine.Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--kafka", description = "also run the pipeline through Kafka (a broker inside this process) on the same video")
    boolean kafka;

    @Option(names = "--no-classical",
            description = "skip the classical comparison: noise (sigma 25) and haze synthesised onto the frames, "
                    + "restored by DaAIR and by FFmpeg's nlmeans, atadenoise (and hqdn3d in the GPL build) / the dark "
                    + "channel prior; PSNR against the frames, fps side by side")
    boolean noClassical;

    @Override
    public Integer call() throws Exception {
        if (!List.of("auto", "source", "off").contains(liveFps)) {
            try {
                if (!(Double.parseDouble(liveFps) > 0)) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--live-fps must be auto, source, off or a rate > 0, not '" + liveFps + "'");
            }
        }
        if (liveDeadlineMs != null && liveDeadlineMs <= 0) {
            throw new IllegalArgumentException("--live-deadline-ms must be > 0");
        }
        boolean live = !"off".equals(liveFps);
        Settings settings = modelOptions.load(Map.of("output.progress", "false"));
        RestorePipeline pipeline = new RestorePipeline(settings, RestoreCommand.resolveModelDir(settings.get("model.dir")));
        String clip = input != null ? input : defaultClip();
        Path tmp = Files.createTempDirectory("daair-bench");
        int threads = settings.getInt("model.threads") > 0 ? settings.getInt("model.threads") : Runtime.getRuntime().availableProcessors();
        System.out.printf("daair bench: %s, %d frames per run, task %s, %d threads%s%n", clip, frames, settings.get("model.task"), threads,
                live ? ", live pace " + liveFps : "");
        System.out.println("| size | decode-only fps | model-only fps | pipeline fps | pipeline / model |" + (kafka ? " Kafka pipeline fps | Kafka / in-process |" : "")
                + (live ? " live pace fps | deadline ms | live p50 ms | live p99 ms | passed through |" : "")
                + (live && kafka ? " Kafka live p50 ms | Kafka live p99 ms | Kafka passed through |" : "")
                + " peak RSS MiB |");
        System.out.println("|---|---|---|---|---|" + (kafka ? "---|---|" : "") + (live ? "---|---|---|---|---|" : "")
                + (live && kafka ? "---|---|---|" : "") + "---|");
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("clip", clip);
        report.put("frames", frames);
        report.put("task", settings.get("model.task"));
        report.put("model_dir", settings.get("model.dir"));
        report.put("threads", threads);
        report.put("live_fps", liveFps);
        report.put("date", java.time.LocalDate.now().toString());
        List<Map<String, Object>> rows = new ArrayList<>();
        report.put("sizes", rows);
        List<String> classicalTable = new ArrayList<>();
        List<String> stabilizerLines = new ArrayList<>();
        org.daair.stream.kafka.EmbeddedKafkaBroker broker = kafka ? org.daair.stream.kafka.EmbeddedKafkaBroker.start() : null;
        try {
            for (int h : heights) {
                int w = (int) Math.round(h * 16.0 / 9.0 / 2) * 2;
                Clip scaledClip = decodeScaled(clip, w, h, frames);
                List<Frame> scaled = scaledClip.frames();
                Path video = tmp.resolve("bench-" + h + ".mkv");
                writeLossless(scaled, video, w, h, scaledClip.rateNum(), scaledClip.rateDen());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("width", w);
                row.put("height", h);
                row.put("frames", scaled.size());
                double decodeFps = decodeOnlyFps(video.toString());
                row.put("decode_fps", decodeFps);
                double modelFps;
                try (RestoreEngine engine = pipeline.buildEngine()) {
                    engine.restore(engine.route(scaled.get(0)), List.of(scaled.get(0))); // warm-up
                    int batch = settings.getInt("engine.max_batch");
                    long t0 = System.nanoTime();
                    Map<String, List<Frame>> groups = new LinkedHashMap<>();
                    for (Frame f : scaled) {
                        groups.computeIfAbsent(engine.route(f), k -> new ArrayList<>()).add(f);
                    }
                    for (Map.Entry<String, List<Frame>> g : groups.entrySet()) {
                        for (int i = 0; i < g.getValue().size(); i += batch) {
                            engine.restore(g.getKey(), g.getValue().subList(i, Math.min(g.getValue().size(), i + batch)));
                        }
                    }
                    modelFps = scaled.size() / ((System.nanoTime() - t0) / 1e9);
                    if (!noClassical) {
                        row.put("classical", classicalComparison(engine, batch, scaled, classicalTable));
                    }
                }
                row.put("model_fps", modelFps);
                RunSummary s = pipeline.run(video.toString(), tmp.resolve("out-" + h + ".mkv").toString(), null, null);
                row.put("pipeline_fps", s.fps());
                row.put("pipeline_over_model", s.fps() / modelFps);
                String viaKafka = "";
                double kfps = Double.NaN;
                if (broker != null) {
                    try (RestoreEngine engine = pipeline.buildEngine()) {
                        long t0 = System.nanoTime();
                        var r = org.daair.stream.cli.distributed.KafkaPipeline.restore(
                                org.daair.stream.kafka.KafkaFrames.connect(broker.bootstrapServers()), video.toString(),
                                tmp.resolve("kafka-" + h + ".mkv").toString(), engine,
                                org.daair.stream.cli.distributed.KafkaPipeline.batcher(settings), pipeline.sinkOptions(),
                                org.daair.stream.kafka.PayloadEncoding.RAW_F32, null);
                        kfps = r.written() / ((System.nanoTime() - t0) / 1e9);
                        viaKafka = String.format(" %.2f | %.3f |", kfps, kfps / s.fps());
                        row.put("kafka_pipeline_fps", kfps);
                        row.put("kafka_over_in_process", kfps / s.fps());
                    }
                }
                String liveCols = "";
                if (live) {
                    double slowest = Math.min(modelFps, s.fps());
                    if (broker != null) {
                        slowest = Math.min(slowest, kfps);
                    }
                    double pace = switch (liveFps) {
                        case "auto" -> 0.8 * slowest;
                        case "source" -> (double) scaledClip.rateNum() / scaledClip.rateDen();
                        default -> Double.parseDouble(liveFps);
                    };
                    Duration deadline = Duration.ofMillis(liveDeadlineMs != null ? liveDeadlineMs : Math.round(3000 / pace));
                    row.put("live_pace_fps", pace);
                    row.put("live_deadline_ms", deadline.toMillis());
                    liveCols = measureLive(pipeline, settings, broker, scaled, w, h, scaledClip, pace, deadline, tmp, row);
                }
                long rss = peakRssMiB();
                row.put("peak_rss_mib", rss);
                rows.add(row);
                System.out.printf("| %dx%d | %.2f | %.2f | %.2f | %.3f |%s%s %d |%n", w, h, decodeFps, modelFps, s.fps(), s.fps() / modelFps, viaKafka, liveCols, rss);
                double stabMc = stabilizerMs(settings, scaled, true, settings.getDouble("temporal.level_strength"));
                double stabPlain = stabilizerMs(settings, scaled, false, settings.getDouble("temporal.level_strength"));
                double stabNoLevel = stabilizerMs(settings, scaled, true, 0);
                row.put("stabilizer_ms", stabMc);
                row.put("stabilizer_no_motion_compensation_ms", stabPlain);
                row.put("stabilizer_no_level_ms", stabNoLevel);
                stabilizerLines.add(String.format("| %dx%d | %.1f | %.1f | %.2f | %.1f | %.2f | %.3f |", w, h, stabMc, stabPlain, stabMc / stabPlain,
                        stabNoLevel, stabMc / stabNoLevel, stabMc / (1000 / modelFps)));
                if (json != null) {
                    writeJson(report); // after every size, so a long run that is stopped keeps what it measured
                }
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
            try (var files = Files.walk(tmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        if (live) {
            System.out.println("live: frames released at the pace and never held back; latency = release -> written by the sink;");
            System.out.println("  passed through = written as they came in because their restored version missed the deadline.");
        }
        System.out.println();
        System.out.println("temporal stabiliser on the frames (as restored, alone; its rows over the cores from 64k pixels), motion compensation");
        System.out.println("on and off, and without the level (temporal.level_strength 0):");
        System.out.println("| size | ms / frame | without compensation | on / off | without the level | with / without | stabiliser ms / model-only ms |");
        System.out.println("|---|---|---|---|---|---|---|");
        stabilizerLines.forEach(System.out::println);
        if (!classicalTable.isEmpty()) {
            System.out.println();
            System.out.println("classical filters beside DaAIR (degradation synthesised onto the frames, which are the reference;");
            System.out.println("fps of the restoration alone, measured one after the other in this run):");
            System.out.println("| size | degradation | method | fps | fps / DaAIR fps | degraded PSNR | PSNR | gain dB | SSIM |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            classicalTable.forEach(System.out::println);
        }
        if (json != null) {
            System.out.println("results written to " + json);
        }
        return 0;
    }

    /** The DaAIR result (as configured, the first one) that the rows of r's degradation are compared with. */
    private static org.daair.stream.cli.eval.ClassicalBaselines.Result daairFpsFor(
            org.daair.stream.cli.eval.ClassicalBaselines.Result r, List<org.daair.stream.cli.eval.ClassicalBaselines.Result> all) {
        return all.stream().filter(x -> x.degradation().equals(r.degradation()) && x.method().startsWith("DaAIR")).findFirst().orElse(r);
    }

    /**
     * Milliseconds per frame of the temporal stabiliser (temporal.* settings, motion compensation and
     * level strength as given) over FRAMES taken as restored, each input seen one frame ahead as the
     * pipeline's decoder does: the fastest of three timed passes after an untimed one (the JIT; on
     * 2 shared cores one pass varied by half, session 16).
     */
    static double stabilizerMs(Settings settings, List<Frame> frames, boolean motionCompensation, double levelStrength) {
        double best = Double.MAX_VALUE;
        for (int pass = 0; pass < 4; pass++) {
            // each input is observed before the frame before it is applied: the look-ahead never waits
            org.daair.stream.engine.TemporalStabilizer s = RestorePipeline.newStabilizer(settings, motionCompensation, levelStrength);
            long t0 = System.nanoTime();
            for (int t = 0; t <= frames.size(); t++) {
                s.observeInput(t < frames.size() ? frames.get(t) : Frame.endOfStream(frames.get(0).streamId(), t));
                if (t > 0) {
                    s.apply(frames.get(t - 1).withRoute("derain"));
                }
            }
            double ms = (System.nanoTime() - t0) / 1e6 / frames.size();
            if (pass > 0) {
                best = Math.min(best, ms);   // the fastest of three: what the code costs, not what else ran
            }
        }
        return best;
    }

    /** Frames per second of decoding VIDEO alone (to RGB floats, as the pipeline's source does). */
    static double decodeOnlyFps(String video) throws IOException {
        long t0 = System.nanoTime();
        long n = 0;
        try (FrameSource src = Sources.open(video, "bench-decode")) {
            while (src.next() != null) {
                n++;
            }
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    /** DaAIR and the classical filters on the same frames; adds table lines, returns the JSON rows. */
    private static List<Map<String, Object>> classicalComparison(RestoreEngine engine, int batch, List<Frame> frames,
                                                                 List<String> table) throws IOException {
        var outcome = org.daair.stream.cli.eval.ClassicalBaselines.run(engine, batch, frames);
        List<Map<String, Object>> rows = new ArrayList<>();
        double daairFps = Double.NaN;
        for (var r : outcome.results()) {
            if (r.method().startsWith("DaAIR") && daairFpsFor(r, outcome.results()) == r) {
                daairFps = r.fps();
            }
            rows.add(r.toJson(daairFps));
            table.add(String.format("| %dx%d | %s | %s | %.3f | %.2f | %.2f | %.2f | %+.2f | %.3f |", frames.get(0).width(), frames.get(0).height(),
                    r.degradation(), r.method() + (r.routes().isEmpty() ? "" : " " + r.routes()), r.fps(), r.fps() / daairFps, r.psnrIn(), r.psnr(), r.psnr() - r.psnrIn(), r.ssim()));
        }
        for (String why : outcome.skipped()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("skipped", why);
            rows.add(m);
            table.add("| " + frames.get(0).width() + "x" + frames.get(0).height() + " | | " + why + " | | | | | | |");
        }
        return rows;
    }

    /** Live mode in-process, then through Kafka if a broker is given; returns the table's columns. */
    private static String measureLive(RestorePipeline pipeline, Settings settings, org.daair.stream.kafka.EmbeddedKafkaBroker broker,
                                      List<Frame> scaled, int w, int h, Clip clip, double pace, Duration deadline, Path tmp,
                                      Map<String, Object> row) throws IOException, InterruptedException {
        StringBuilder cols = new StringBuilder(String.format(" %.3f | %d |", pace, deadline.toMillis()));
        try (RestoreEngine engine = pipeline.buildEngine()) {
            // graphs loaded before the clock starts: a camera's stream meets a running server
            engine.restore(engine.route(scaled.get(0)), List.of(scaled.get(0)));
            engine.forgetStream(scaled.get(0).streamId());
            LatencyRecorder inProcess = new LatencyRecorder();
            RestorePipeline.LiveSummary ls = pipeline.runLive(
                    new PacedSource(scaled, liveInfo("bench-live-" + h, w, h, clip, scaled.size()), pace, inProcess),
                    engine, tmp.resolve("live-" + h + ".mkv").toString(), deadline, inProcess::written);
            LatencyRecorder.Summary in = inProcess.summary();
            row.put("live", latencyJson(in, ls.lateRestored()));
            cols.append(String.format(" %.0f | %.0f | %d/%d |", in.p50Ms(), in.p99Ms(), in.passedThrough(), in.frames()));
            if (broker != null) {
                LatencyRecorder viaKafka = new LatencyRecorder();
                String streamId = "bench-live-" + h + "-" + java.util.UUID.randomUUID();
                var r = org.daair.stream.cli.distributed.KafkaPipeline.restore(
                        org.daair.stream.kafka.KafkaFrames.connect(broker.bootstrapServers()),
                        new PacedSource(scaled, liveInfo(streamId, w, h, clip, scaled.size()), pace, viaKafka),
                        tmp.resolve("kafka-live-" + h + ".mkv").toString(), engine,
                        org.daair.stream.cli.distributed.KafkaPipeline.batcher(settings), pipeline.sinkOptions(),
                        org.daair.stream.kafka.PayloadEncoding.RAW_F32, deadline, null, viaKafka::written);
                LatencyRecorder.Summary k = viaKafka.summary();
                if (k.passedThrough() != r.deadlineMisses()) {
                    throw new IllegalStateException("Kafka sink counted " + r.deadlineMisses() + " deadline misses, the recorder "
                            + k.passedThrough());
                }
                row.put("kafka_live", latencyJson(k, r.duplicates()));
                cols.append(String.format(" %.0f | %.0f | %d/%d |", k.p50Ms(), k.p99Ms(), k.passedThrough(), k.frames()));
            }
        }
        return cols.toString();
    }

    private static StreamInfo liveInfo(String streamId, int w, int h, Clip clip, long count) {
        return new StreamInfo(streamId, "bench", w, h, clip.rateNum(), clip.rateDen(), 1, 1_000_000, 1, 1, 1, 1, 0, count, false, "ffv1");
    }

    /** @param restoredDropped restored frames dropped because their original had gone out (Kafka: and repeats) */
    private static Map<String, Object> latencyJson(LatencyRecorder.Summary s, long restoredDropped) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("frames", s.frames());
        m.put("restored", s.restored());
        m.put("passed_through", s.passedThrough());
        m.put("restored_dropped", restoredDropped);
        m.put("p50_ms", s.p50Ms());
        m.put("p99_ms", s.p99Ms());
        m.put("max_ms", s.maxMs());
        m.put("mean_ms", s.meanMs());
        return m;
    }

    private void writeJson(Map<String, Object> report) throws IOException {
        Path parent = json.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), report);
    }

    private static String defaultClip() {
        String home = System.getProperty("daair.home", ".");
        return Path.of(home).resolve("samples/car-park-rain.mp4").toString();
    }

    /** Decoded, scaled frames and the clip's frame rate (25 where the clip has none). */
    record Clip(List<Frame> frames, int rateNum, int rateDen) {
    }

    static Clip decodeScaled(String clip, int w, int h, int n) throws IOException {
        List<Frame> out = new ArrayList<>();
        int num;
        int den;
        try (FrameSource src = Sources.open(clip, "bench")) {
            num = src.info().frameRateNum();
            den = src.info().frameRateDen();
            for (Frame f; out.size() < n && (f = src.next()) != null; ) {
                out.add(new Frame("bench", f.seq(), f.ptsMicros(), w, h, org.daair.stream.common.Resize.bilinear(f.rgb(), f.width(), f.height(), w, h), null, null));
            }
        }
        if (out.isEmpty()) {
            throw new IOException("no frames decoded from " + clip);
        }
        return num > 0 && den > 0 ? new Clip(out, num, den) : new Clip(out, 25, 1);
    }

    private static void writeLossless(List<Frame> frames, Path video, int w, int h, int rateNum, int rateDen) throws IOException {
        StreamInfo info = new StreamInfo("bench", video.toString(), w, h, rateNum, rateDen, rateDen, rateNum, 1, 1, 1, 1, 0, frames.size(), false, "ffv1");
        try (FrameSink sink = Sinks.open(video.toString(), info, SinkOptions.defaults().withLossless(true).withCopyAudio(false))) {
            for (Frame f : frames) {
                sink.write(f);
            }
            sink.finish();
        }
    }

    /** Peak resident memory of this JVM (VmHWM), in MiB; -1 where /proc is not available. */
    static long peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
