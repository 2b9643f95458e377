package org.daair.stream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.daair.stream.cli.metrics.MetricsServer;
import org.daair.stream.cli.metrics.PipelineMetrics;
import org.daair.stream.cli.metrics.Scrapes;
import org.daair.stream.common.Frame;
import org.daair.stream.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics endpoint of a running restoration, scraped over HTTP while it runs: the frame
 * counters move, and the stage histograms, routes, queues and breaker state are there.
 */
@Timeout(180)
class MetricsEndpointTest {

    @Test
    void aRunningRestoreServesMovingCountersAndStageHistograms(@TempDir Path tmp) throws Exception {
        // 24 small frames of the sample clip as a folder of images
        List<Frame> frames = BenchCommand.decodeScaled(CliTestSupport.samples().resolve("car-park-rain.mp4").toString(), 96, 64, 24).frames();
        Path in = CliTestSupport.pngFolder(frames, tmp.resolve("in"));
        Settings s = Settings.load(null, Map.of(), Map.of("model.dir", CliTestSupport.models().toString(),
                "output.progress", "false", "engine.max_batch", "2"));
        RestorePipeline pipeline = new RestorePipeline(s, CliTestSupport.models());
        try (MetricsServer server = MetricsServer.start("restore", "127.0.0.1", 0)) {
            pipeline.metrics(new PipelineMetrics(server.registry()));
            RunSummary summary;
            Scrapes.Sampler sampler = new Scrapes.Sampler(server.url(), Duration.ofMillis(50));
            try (sampler) {
                summary = pipeline.run(in.toString(), tmp.resolve("out").toString(), null, null);
                Thread.sleep(200); // one more scrape after the end
            }
            assertEquals(24, summary.frames());
            List<Double> out = sampler.distinct("daair_frames_out_total", "stream=\"main\"");
            assertTrue(out.size() >= 3, "the frames-out counter moved while the run went on: " + out);
            assertEquals(24.0, out.get(out.size() - 1), "and ends at the number of frames written");
            for (int i = 1; i < out.size(); i++) {
                assertTrue(out.get(i) > out.get(i - 1), "a counter only grows: " + out);
            }

            String last = Scrapes.get(server.url());
            assertEquals(24.0, Scrapes.value(last, "daair_frames_in_total", "stream=\"main\""));
            for (String stage : List.of("decode", "classify", "model", "encode")) {
                double n = Scrapes.value(last, "daair_stage_seconds_count", "stage=\"" + stage + "\"");
                assertTrue(n > 0, "latency histogram of stage " + stage + ": " + n);
                assertFalse(Double.isNaN(Scrapes.value(last, "daair_stage_seconds_bucket", "stage=\"" + stage + "\"", "le=")),
                        "stage " + stage + " has histogram buckets");
            }
            assertEquals(24.0, Scrapes.value(last, "daair_end_to_end_seconds_count"));
            double routed = 0;
            for (String route : List.of("denoise", "derain", "dehaze", "deblur", "lowlight", "passthrough")) {
                double v = Scrapes.value(last, "daair_frames_restored_total", "route=\"" + route + "\"");
                routed += Double.isNaN(v) ? 0 : v;
            }
            assertEquals(24.0, routed, "frames per degradation add up to the frames restored");
            assertTrue(Scrapes.value(last, "daair_batch_frames_max") >= 1);
            assertEquals(0.0, Scrapes.value(last, "daair_breaker_state"), "the breaker is closed");
            assertEquals(0.0, Scrapes.value(last, "daair_passthrough_frames_total"));
            assertFalse(Double.isNaN(Scrapes.value(last, "daair_queue_frames", "queue=\"frames\"")), "queue depth gauge");
            assertFalse(Double.isNaN(Scrapes.value(last, "daair_fps", "direction=\"out\"")), "fps gauge");
            assertTrue(Scrapes.value(last, "jvm_memory_used_bytes") > 0, "JVM meters come along");
            assertTrue(last.contains("process=\"restore\""), "every meter is tagged with the process");
        }
    }
}
