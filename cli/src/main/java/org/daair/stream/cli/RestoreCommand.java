package org.daair.stream.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.config.Settings;
import org.daair.stream.engine.RestoreEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restore an image, a folder of images, a video file, a live stream or a y4m pipe.", "",
                "INPUT and OUTPUT are of the same kind: an image, a folder (same file names), a video file",
                "(frame rate, timestamps, colour tags and audio kept), a URL (rtsp://, rtmp://, srt://, udp://,",
                "http(s)://; outputs: rtmp/srt/udp push, RTSP, or an .m3u8 HLS playlist), or - for a",
                "YUV4MPEG2 stream on stdin/stdout. Video files are written to a temporary name and renamed",
                "when complete: a failed run leaves nothing at OUTPUT.", "",
                "Video is stabilised over time (temporal.* in --config): still areas are averaged over",
                "frames so that left-over noise and haze removal do not flicker; what moves stays sharp.",
                "Files start warm: the first frame is written once 16 are restored (temporal.warm_start).", ""})
public final class RestoreCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "INPUT", description = "image, folder, video file, URL, or - (y4m on stdin)")
    String input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUTPUT",
            description = "image, folder, video file, URL, or - (y4m on stdout)")
    String output;





    @picocli.CommandLine.Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--batch", paramLabel = "N", description = "frames per forward pass (engine.max_batch)")
    Integer batch;

    @Option(names = "--tile", paramLabel = "PX", description = "tile frames larger than this (engine.tile_size)")
    Integer tile;

    @Option(names = "--transport", paramLabel = "T", description = "inprocess (default: one JVM, no broker) or kafka")
    String transport = "inprocess";

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Kafka broker for --transport kafka (default: start one inside this process)")
    String bootstrap;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Prometheus metrics at http://HOST:PORT/metrics (metrics.*): on by default for live "
                    + "inputs (port 9460), off for files unless a port is given; 0 = off")
    Integer metricsPort;

    @Option(names = "--preview", paramLabel = "MODE",
            description = {"write the input and the restored output in one picture, for demos:",
                    "side-by-side: both whole frames, input left, restored right (twice as wide);",
                    "split: the input's size, left half input, right half restored, a line between.",
                    "Labelled INPUT and RESTORED; frame rate, time stamps and audio as without it"})
    String preview;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        if (batch != null) {
            flags.put("engine.max_batch", batch.toString());
        }
        if (tile != null) {
            flags.put("engine.tile_size", tile.toString());
        }
        if (noProgress) {
            flags.put("output.progress", "false");
        }
        if (metricsPort != null) {
            flags.put("metrics.port", metricsPort.toString());
        }
        Settings settings = modelOptions.load(flags);
        RestorePipeline pipeline = new RestorePipeline(settings, resolveModelDir(settings.get("model.dir")));
        if (preview != null) {
            org.daair.stream.cli.preview.PreviewMode mode = org.daair.stream.cli.preview.PreviewMode.parse(preview);
            if (!"inprocess".equals(transport)) {
                throw new IllegalArgumentException("--preview works with --transport inprocess only");
            }
            org.daair.stream.cli.preview.Preview.attach(pipeline, mode, settings);
        }
        if ("kafka".equals(transport)) {
            return restoreThroughKafka(settings, pipeline);
        } else if (!"inprocess".equals(transport)) {
            throw new IllegalArgumentException("--transport must be inprocess or kafka, not '" + transport + "'");
        }
        org.daair.stream.cli.metrics.MetricsServer metrics = org.daair.stream.cli.metrics.Metrics.start("restore", settings,
                org.daair.stream.cli.metrics.Metrics.RESTORE_PORT, org.daair.stream.ingest.Sources.isLive(input));
        try {
            if (metrics != null) {
                pipeline.metrics(new org.daair.stream.cli.metrics.PipelineMetrics(metrics.registry()));
            }
            return restoreInProcess(settings, pipeline);
        } finally {
            if (metrics != null) {
                metrics.close();
            }
        }
    }

    private int restoreInProcess(Settings settings, RestorePipeline pipeline) throws Exception {
        boolean showProgress = settings.getBoolean("output.progress");
        ProgressBar[] bar = new ProgressBar[1];
        // Ctrl-C on a live input ends the recording cleanly instead of discarding it
        java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
        Thread stopHook = LiveInputs.reconnects(input, settings) ? new Thread(() -> {
            if (pipeline.requestStop()) {
                System.err.println("daair: stopping: finishing " + output + " ...");
                try {
                    finished.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "daair-stop") : null;
        if (stopHook != null) {
            Runtime.getRuntime().addShutdownHook(stopHook);
        }
        try {
            RunSummary s = pipeline.run(input, output,
                    n -> {
                        if (bar[0] != null) {
                            bar[0].stepTo(n);
                        }
                    },
                    (StreamInfo info) -> {
                        if (showProgress) {
                            bar[0] = FrameProgress.start(info, System.err);
                        }
                    });
            if (bar[0] != null) {
                bar[0].close();
            }
            System.err.println(s.describe());
            return 0;
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
            finished.countDown();
            if (stopHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(stopHook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it was waiting for exactly this
                }
            }
        }
    }

    private int restoreThroughKafka(Settings settings, RestorePipeline pipeline) throws Exception {
        long t0 = System.nanoTime();
        org.daair.stream.kafka.EmbeddedKafkaBroker broker = bootstrap == null ? org.daair.stream.kafka.EmbeddedKafkaBroker.start() : null;
        try (RestoreEngine engine = pipeline.buildEngine()) {
            // the in-process broker listens on loopback in plain text; an external one gets the kafka.* security
            var kafka = broker != null ? org.daair.stream.kafka.KafkaFrames.connect(broker.bootstrapServers())
                    : KafkaConnect.connect(bootstrap, settings);
            var r = org.daair.stream.cli.distributed.KafkaPipeline.restore(kafka, input, output, engine,
                    org.daair.stream.cli.distributed.KafkaPipeline.batcher(settings), pipeline.sinkOptions(),
                    org.daair.stream.kafka.PayloadEncoding.RAW_F32,
                    // live sources must not stall: late frames go out as they came in
                    org.daair.stream.ingest.Sources.isUrl(input) ? java.time.Duration.ofSeconds(2) : null, null);
            double secs = (System.nanoTime() - t0) / 1e9;
            System.err.printf("restored %d frames through Kafka in %.1f s (%.2f fps, %d repeats dropped, %d late frames passed through)%n"
                    + "  frames per degradation: %s%n", r.written(), secs, r.written() / secs, r.duplicates(), r.deadlineMisses(), engine.framesPerRoute());
            return 0;
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    /** A relative model folder is looked up in the working directory, then in the install root. */
    static Path resolveModelDir(String dir) {
        Path p = Path.of(dir);
        if (p.isAbsolute() || Files.isDirectory(p)) {
            return p;
        }
        String home = System.getProperty("daair.home");
        return home != null ? Path.of(home).resolve(dir) : p;
    }
}
