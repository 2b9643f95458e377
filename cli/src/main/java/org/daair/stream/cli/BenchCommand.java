package org.daair.stream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark: model-only fps and whole-pipeline fps side by side, their ratio, peak memory.", "",
                "For each height, the input clip is scaled (16:9 kept) and written to a temporary video;",
                "model-only runs the engine (classification + restoration) on the decoded frames in memory;",
                "pipeline runs 'restore' on the temporary video (decode, queues, engine, encode);",
                "with --kafka the same video also goes through Kafka (ingest, worker, sink; broker in-process).", ""})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--input", paramLabel = "VIDEO", description = "clip to measure on (default: samples/car-park-rain.mp4)")
    String input;

    @Option(names = "--heights", split = ",", paramLabel = "H", description = "frame heights (default: 480,720)")
    List<Integer> heights = List.of(480, 720);

    @Option(names = "--frames", paramLabel = "N", description = "frames per measurement (default: 24)")
    int frames = 24;




    @picocli.CommandLine.Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--kafka", description = "also run the pipeline through Kafka (a broker inside this process) on the same video")
    boolean kafka;

    @Override
    public Integer call() throws Exception {
        Settings settings = modelOptions.load(Map.of("output.progress", "false"));
        RestorePipeline pipeline = new RestorePipeline(settings, RestoreCommand.resolveModelDir(settings.get("model.dir")));
        String clip = input != null ? input : defaultClip();
        Path tmp = Files.createTempDirectory("daair-bench");
        System.out.printf("daair bench: %s, %d frames per run, task %s, %d threads%n", clip, frames, settings.get("model.task"),
                settings.getInt("model.threads") > 0 ? settings.getInt("model.threads") : Runtime.getRuntime().availableProcessors());
        System.out.println("| size | model-only fps | pipeline fps | pipeline / model |" + (kafka ? " Kafka pipeline fps | Kafka / in-process |" : "")
                + " peak RSS MiB |");
        System.out.println("|---|---|---|---|" + (kafka ? "---|---|" : "") + "---|");
        org.daair.stream.kafka.EmbeddedKafkaBroker broker = kafka ? org.daair.stream.kafka.EmbeddedKafkaBroker.start() : null;
        try {
            for (int h : heights) {
                int w = (int) Math.round(h * 16.0 / 9.0 / 2) * 2;
                List<Frame> scaled = decodeScaled(clip, w, h, frames);
                Path video = tmp.resolve("bench-" + h + ".mkv");
                writeLossless(scaled, video, w, h);
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
                }
                RunSummary s = pipeline.run(video.toString(), tmp.resolve("out-" + h + ".mkv").toString(), null, null);
                String viaKafka = "";
                if (broker != null) {
                    try (RestoreEngine engine = pipeline.buildEngine()) {
                        long t0 = System.nanoTime();
                        var r = org.daair.stream.cli.distributed.KafkaPipeline.restore(
                                org.daair.stream.kafka.KafkaFrames.connect(broker.bootstrapServers()), video.toString(),
                                tmp.resolve("kafka-" + h + ".mkv").toString(), engine,
                                org.daair.stream.cli.distributed.KafkaPipeline.batcher(settings), pipeline.sinkOptions(),
                                org.daair.stream.kafka.PayloadEncoding.RAW_F32, null);
                        double kfps = r.written() / ((System.nanoTime() - t0) / 1e9);
                        viaKafka = String.format(" %.2f | %.3f |", kfps, kfps / s.fps());
                    }
                }
                System.out.printf("| %dx%d | %.2f | %.2f | %.3f |%s %d |%n", w, h, modelFps, s.fps(), s.fps() / modelFps, viaKafka, peakRssMiB());
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
            try (var files = Files.walk(tmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }

    private static String defaultClip() {
        String home = System.getProperty("daair.home", ".");
        return Path.of(home).resolve("samples/car-park-rain.mp4").toString();
    }

    static List<Frame> decodeScaled(String clip, int w, int h, int n) throws IOException {
        List<Frame> out = new ArrayList<>();
        try (FrameSource src = Sources.open(clip, "bench")) {
            for (Frame f; out.size() < n && (f = src.next()) != null; ) {
                out.add(new Frame("bench", f.seq(), f.ptsMicros(), w, h, Resize.bilinear(f.rgb(), f.width(), f.height(), w, h), null, null));
            }
        }
        if (out.isEmpty()) {
            throw new IOException("no frames decoded from " + clip);
        }
        return out;
    }

    private static void writeLossless(List<Frame> frames, Path video, int w, int h) throws IOException {
        StreamInfo info = new StreamInfo("bench", video.toString(), w, h, 25, 1, 1, 25, 1, 1, 1, 1, 0, frames.size(), false, "ffv1");
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
