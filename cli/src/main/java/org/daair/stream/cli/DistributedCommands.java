package org.daair.stream.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.daair.stream.cli.distributed.KafkaIngestStage;
import org.daair.stream.cli.distributed.KafkaPipeline;
import org.daair.stream.cli.distributed.KafkaSinkStage;
import org.daair.stream.cli.distributed.KafkaWorker;
import org.daair.stream.config.Settings;
import org.daair.stream.cli.metrics.MeteredRestorer;
import org.daair.stream.cli.metrics.Metrics;
import org.daair.stream.cli.metrics.MetricsServer;
import org.daair.stream.cli.metrics.PipelineMetrics;
import org.daair.stream.engine.FrameRestorer;
import org.daair.stream.engine.ResilientRestorer;
import org.daair.stream.ingest.FrameSource;
import org.daair.stream.kafka.EmbeddedKafkaBroker;
import org.daair.stream.kafka.KafkaFrames;
import org.daair.stream.kafka.PayloadEncoding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The processes of the distributed mode: broker, ingest, worker, sink. */
final class DistributedCommands {
    private DistributedCommands() {
    }

    @Command(name = "broker", mixinStandardHelpOptions = true,
            header = "Run a one-node Kafka broker to try the distributed mode locally.",
            description = {"Run a single-node Kafka broker (KRaft) from daair-stream's own jars, for trying the",
                    "distributed mode on one machine. Stops on Ctrl-C; data persists in --data.", ""})
    static final class Broker implements Callable<Integer> {
        @Option(names = "--port", description = "client port (default: 9092)")
        int port = 9092;

        @Option(names = "--data", description = "data folder (default: ./daair-broker-data)")
        Path data = Path.of("daair-broker-data");

        @Override
        public Integer call() throws Exception {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(port).dataDir(data).start();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
            KafkaPipeline.ensureTopics(KafkaFrames.connect(broker.bootstrapServers()));
            System.err.println("daair broker: listening on " + broker.bootstrapServers() + ", data in " + data.toAbsolutePath());
            broker.awaitShutdown();
            return 0;
        }
    }

    @Command(name = "ingest", mixinStandardHelpOptions = true,
            description = "Decode a source and publish its frames to the broker.")
    static final class Ingest implements Callable<Integer> {
        @Option(names = "--source", required = true, paramLabel = "URL", description = "file, URL, folder or - (y4m)")
        String source;

        @Option(names = "--stream-id", required = true, paramLabel = "ID")
        String streamId;

        @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (default: localhost:9092)")
        String bootstrap = "localhost:9092";

        @Option(names = "--encoding", description = "frame payload: raw-f32 (default, exact), raw-f16, raw-u8, png, jpeg")
        String encoding = "raw-f32";

        @Option(names = "--config", paramLabel = "FILE", description = "YAML settings (kafka.* for TLS/SASL; see config/daair.yaml)")
        Path config;

        @Option(names = "--metrics-port", paramLabel = "PORT",
                description = "Prometheus metrics at http://HOST:PORT/metrics (default 9461; 0 = off; see metrics.* in config/daair.yaml)")
        Integer metricsPort;

        @Override
        public Integer call() throws Exception {
            Settings settings = Settings.load(config, System.getenv(), metricsPort == null ? Map.of() : Map.of("metrics.port", metricsPort.toString()));
            KafkaFrames kafka = KafkaConnect.connect(bootstrap, settings);
            System.err.println("daair ingest: publishing to " + kafka);
            KafkaPipeline.ensureTopics(kafka);
            // a live camera is reconnected when it drops, and its output keeps its clock (live.*)
            try (MetricsServer metrics = Metrics.start("ingest", settings, Metrics.INGEST_PORT, true);
                 FrameSource src = LiveInputs.open(source, streamId, settings)) {
                PipelineMetrics m = metrics == null ? null : new PipelineMetrics(metrics.registry());
                if (m != null && src instanceof org.daair.stream.ingest.LiveSource live) {
                    m.watchLive(live::stats);
                }
                long n = KafkaIngestStage.run(kafka, src, PayloadEncoding.parse(encoding), m);
                System.err.println("daair ingest: published " + n + " frames of stream " + streamId);
            }
            return 0;
        }
    }

    @Command(name = "worker", mixinStandardHelpOptions = true,
            header = "Restore all streams' frames from the broker (one of a pool).",
            description = {"Restore the frames of all streams from the broker (one of a pool: start as many",
                    "as you like; they share the streams and take over each other's work).", ""})
    static final class Worker implements Callable<Integer> {
        @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (default: localhost:9092)")
        String bootstrap = "localhost:9092";



        @picocli.CommandLine.Mixin
        ModelOptions modelOptions = new ModelOptions();

        @Option(names = "--metrics-port", paramLabel = "PORT",
                description = "Prometheus metrics at http://HOST:PORT/metrics (default 9462; 0 = off; see metrics.* in config/daair.yaml)")
        Integer metricsPort;

        @Option(names = "--encoding", description = "restored frame payload (default raw-f32)")
        String encoding = "raw-f32";

        @Override
        public Integer call() throws Exception {
            Settings s = modelOptions.load(metricsPort == null ? Map.of() : Map.of("metrics.port", metricsPort.toString()));
            KafkaFrames kafka = KafkaConnect.connect(bootstrap, s);
            KafkaPipeline.ensureTopics(kafka);
            RestorePipeline pipeline = new RestorePipeline(s, RestoreCommand.resolveModelDir(s.get("model.dir")));
            // a worker does not know whether a stream is live: file semantics unless resilience.mode says live
            try (MetricsServer metrics = Metrics.start("worker", s, Metrics.WORKER_PORT, true);
                 ResilientRestorer engine = Resilience.wrap(pipeline.buildEngine(), pipeline, s, Resilience.modeFor(null, s))) {
                PipelineMetrics m = metrics == null ? null : new PipelineMetrics(metrics.registry());
                FrameRestorer restorer = engine;
                if (m != null) {
                    m.watchRestorer(engine);
                    m.engineInfo(s.get("model.device"), s.get("model.task"), s.get("model.dir"));
                    restorer = new MeteredRestorer(engine, m);
                }
                KafkaWorker w = new KafkaWorker(kafka, restorer, KafkaPipeline.batcher(s), KafkaWorker.GROUP, PayloadEncoding.parse(encoding))
                        .metrics(m);
                Thread main = Thread.currentThread();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    w.stop();
                    try {
                        main.join(15_000);
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                }));
                System.err.println("daair worker: consuming from " + kafka);
                w.run();
                if (w.failure() != null) {
                    throw new IllegalStateException(w.failure().getMessage(), w.failure());
                }
            }
            return 0;
        }
    }

    @Command(name = "sink", mixinStandardHelpOptions = true,
            description = "Encode one stream's restored frames, in order, into OUTPUT.")
    static final class Sink implements Callable<Integer> {
        @Option(names = "--stream-id", required = true, paramLabel = "ID")
        String streamId;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUTPUT")
        String output;

        @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (default: localhost:9092)")
        String bootstrap = "localhost:9092";

        @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "give up after this long without frames (default 120)")
        int idle = 120;

        @Option(names = "--config", paramLabel = "FILE", description = "YAML settings (output.*, kafka.* for TLS/SASL)")
        Path config;

        @Option(names = "--metrics-port", paramLabel = "PORT",
                description = "Prometheus metrics at http://HOST:PORT/metrics (default 9463; 0 = off; see metrics.* in config/daair.yaml)")
        Integer metricsPort;

        @Option(names = "--live-deadline-ms", paramLabel = "MS",
                description = "live mode: write a frame's original when its restored version is this late, "
                        + "so the output never stalls (default: file mode, wait for every restored frame)")
        Integer liveDeadlineMs;

        @Override
        public Integer call() throws Exception {
            Settings s = Settings.load(config, System.getenv(), metricsPort == null ? Map.of() : Map.of("metrics.port", metricsPort.toString()));
            KafkaFrames kafka = KafkaConnect.connect(bootstrap, s);
            System.err.println("daair sink: consuming from " + kafka);
            KafkaSinkStage.Result r;
            try (MetricsServer metrics = Metrics.start("sink", s, Metrics.SINK_PORT, true)) {
                PipelineMetrics m = metrics == null ? null : new PipelineMetrics(metrics.registry());
                RestorePipeline pipeline = new RestorePipeline(s, Path.of("."));
                // the sink sees each stream's frames in order: the place for the temporal stabiliser
                org.daair.stream.engine.TemporalStabilizer stabilizer = pipeline.stabilizer(true);
                r = KafkaSinkStage.run(kafka, streamId, output, pipeline.sinkOptions(),
                        Duration.ofSeconds(idle), liveDeadlineMs == null ? null : Duration.ofMillis(liveDeadlineMs), null,
                        m == null ? null : (f, original) -> {
                            m.frameOut(f.streamId());
                            if (original) {
                                m.lateOriginal();
                            }
                        }, stabilizer == null ? null : stabilizer::apply);
            }
            System.err.println("daair sink: wrote " + r.written() + " frames of stream " + streamId + " (" + r.duplicates()
                    + " repeats dropped, " + r.deadlineMisses() + " originals written for late frames)");
            return 0;
        }
    }
}
