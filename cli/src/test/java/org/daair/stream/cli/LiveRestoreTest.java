package org.daair.stream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.config.Settings;
import org.daair.stream.engine.RestoreEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RestorePipeline's live mode on small real frames with the shipped graphs: every frame written once,
 * restored or passed through at the deadline, and the latency recorder sees each of them. */
class LiveRestoreTest {

    private static final int W = 96;
    private static final int H = 54;

    private static RestorePipeline pipeline() throws Exception {
        Settings s = Settings.load(null, Map.of(), Map.of("model.dir", CliTestSupport.models().toString(), "output.progress", "false"));
        return new RestorePipeline(s, CliTestSupport.models());
    }

    private static StreamInfo info(String id, int n) {
        return new StreamInfo(id, "test", W, H, 25, 1, 1, 1_000_000, 1, 1, 1, 1, 0, n, false, "ffv1");
    }

    @Test
    void generousDeadlineRestoresEveryFrameAndDeadlineOfAMillisecondPassesThemThrough(@TempDir Path tmp) throws Exception {
        List<Frame> frames = BenchCommand.decodeScaled(CliTestSupport.samples().resolve("car-park-rain.mp4").toString(), W, H, 4).frames();
        RestorePipeline p = pipeline();
        try (RestoreEngine engine = p.buildEngine()) {
            LatencyRecorder slow = new LatencyRecorder();
            RestorePipeline.LiveSummary a = p.runLive(new PacedSource(frames, info("a", frames.size()), 50, slow), engine,
                    tmp.resolve("a.mkv").toString(), Duration.ofMinutes(5), slow::written);
            assertEquals(frames.size(), a.written());
            assertEquals(0, a.passedThrough());
            LatencyRecorder.Summary sa = slow.summary();
            assertEquals(frames.size(), sa.frames());
            assertEquals(frames.size(), sa.restored());
            assertEquals(0, slow.outstanding());
            assertTrue(sa.p50Ms() > 0 && sa.p50Ms() <= sa.p99Ms(), sa.toString());
            assertTrue(Files.size(tmp.resolve("a.mkv")) > 0);

            // no forward pass finishes within 1 ms of a frame's arrival: the first frame at least goes out as it came in
            LatencyRecorder fast = new LatencyRecorder();
            RestorePipeline.LiveSummary b = p.runLive(new PacedSource(frames, info("b", frames.size()), 50, fast), engine,
                    tmp.resolve("b.mkv").toString(), Duration.ofMillis(1), fast::written);
            assertEquals(frames.size(), b.written());
            assertTrue(b.passedThrough() >= 1, b.toString());
            LatencyRecorder.Summary sb = fast.summary();
            assertEquals(frames.size(), sb.frames());
            assertEquals(b.passedThrough(), sb.passedThrough());
            assertEquals(0, fast.outstanding());
        }
    }
}
