package org.daair.stream.cli.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.daair.stream.common.Frame;
import org.daair.stream.engine.FrameRestorer;
import org.daair.stream.engine.ResilientRestorer;
import org.daair.stream.ingest.LiveSource;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard in docker/ and the Prometheus configuration only name metrics that the
 * processes really export: every {@code daair_*} series a panel queries exists in a scrape of a
 * {@link PipelineMetrics} with every meter in use, and Prometheus scrapes each process's default port.
 */
class DashboardTest {

    private static Path root() {
        Path p = Path.of(System.getProperty("daair.repo.root", "..")).toAbsolutePath().normalize();
        return Files.isDirectory(p.resolve("docker")) ? p : Path.of("..").toAbsolutePath().normalize();
    }

    @Test
    void everyMetricOnTheDashboardIsExported() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PipelineMetrics m = new PipelineMetrics(registry);
        FrameRestorer identity = new FrameRestorer() {
            @Override
            public String route(Frame f) {
                return "denoise";
            }

            @Override
            public List<Frame> restore(String route, List<Frame> frames) {
                return frames;
            }

            @Override
            public void forgetStream(String streamId) {
            }
        };
        try (ResilientRestorer r = ResilientRestorer.builder().setPrimary(identity).build()) {
            m.frameIn("s");
            m.frameOut("s");
            m.endToEnd(1_000_000);
            m.stage("model", 1_000_000);
            m.batch("denoise", 2);
            m.lateOriginal();
            m.watchRestorer(r);
            m.watchQueue("frames", () -> 1);
            m.watchConsumerLag(() -> 3);
            m.watchLive(() -> new LiveSource.Stats(1, 1, 1, 1, 1));
            m.engineInfo("cpu", "auto", "models");
            String scrape = registry.scrape();

            String dashboard = Files.readString(root().resolve("docker/grafana/daair-dashboard.json"));
            Set<String> used = new TreeSet<>();
            Matcher x = Pattern.compile("daair_[a-z_]+").matcher(dashboard);
            while (x.find()) {
                used.add(x.group());
            }
            assertTrue(used.size() >= 15, "the dashboard queries the daair metrics: " + used);
            for (String name : used) {
                assertTrue(scrape.contains("\n" + name + "{") || scrape.contains("\n" + name + " "),
                        "the dashboard queries " + name + ", which no process exports");
            }
            assertTrue(dashboard.contains("jvm_memory_used_bytes") && scrape.isEmpty() == false);
        }
        String prometheus = Files.readString(root().resolve("docker/prometheus.yml"));
        for (int port : List.of(Metrics.INGEST_PORT, Metrics.WORKER_PORT, Metrics.SINK_PORT)) {
            assertTrue(prometheus.contains("port: " + port), "Prometheus scrapes port " + port);
        }
    }
}
