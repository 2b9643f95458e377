package org.daair.stream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.daair.stream.common.Frame;
import org.daair.stream.common.FrameChannel;
import org.daair.stream.common.InProcessTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine on the shipped graphs: batching, tiling, routing, the worker stage. */
class RestoreEngineTest {

    static RestoreEngine derain;

    @BeforeAll
    static void load() throws Exception {
        derain = RestoreEngine.builder().setModelDir(TestModels.models()).optTask(Task.DERAIN).optThreads(2)
                .optMaxBatch(4).optTiling(128, 32).build();
    }

    @AfterAll
    static void close() {
        derain.close();
    }

    /** A smooth scene with edges, plus noise: something a restorer changes but that has no seams of its own. */
    static float[] scene(int w, int h, long seed) {
        Random r = new Random(seed);
        float[] v = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0.5 + 0.3 * Math.sin(x / (9.0 + c)) * Math.cos(y / 13.0) + ((x / 40 + y / 30) % 2 == 0 ? 0.1 : -0.1);
                    v[c * w * h + y * w + x] = (float) Math.max(0, Math.min(1, s + 0.08 * r.nextGaussian()));
                }
            }
        }
        return v;
    }

    static Frame frame(long seq, int w, int h) {
        return new Frame("cam", seq, seq * 80_000, w, h, scene(w, h, seq), null, null);
    }

    @Test
    void batchedEqualsOneByOne() {
        List<Frame> frames = List.of(frame(0, 96, 64), frame(1, 96, 64), frame(2, 96, 64));
        List<Frame> together = derain.restore("derain", frames);
        for (int i = 0; i < frames.size(); i++) {
            Frame alone = derain.restore("derain", List.of(frames.get(i))).get(0);
            float max = 0;
            for (int p = 0; p < alone.rgb().length; p++) {
                max = Math.max(max, Math.abs(alone.rgb()[p] - together.get(i).rgb()[p]));
            }
            assertTrue(max < 1e-4, "frame " + i + " differs by " + max);
            assertEquals("derain", together.get(i).route());
            assertEquals(frames.get(i).seq(), together.get(i).seq());
        }
    }

    @Test
    void tiledOutputMatchesUntiledAndShowsNoSeams() throws Exception {
        int w = 320;
        int h = 200;
        Frame f = frame(7, w, h);
        float[] tiled = derain.restore("derain", List.of(f)).get(0).rgb();
        float[] whole;
        try (RestoreEngine big = RestoreEngine.builder().setModelDir(TestModels.models()).optTask(Task.DERAIN)
                .optThreads(2).optTiling(512, 32).build()) {
            whole = big.restore("derain", List.of(f)).get(0).rgb();
        }
        double mad = 0;
        for (int i = 0; i < whole.length; i++) {
            mad += Math.abs(whole[i] - tiled[i]);
        }
        mad /= whole.length;
        assertTrue(mad < 0.01, "tiled vs whole mean abs diff " + mad);
        // seams: the jump between neighbouring columns where tiles meet is no larger than elsewhere
        int[] xs = Tiler.origins(w, 128, 32);
        Set<Integer> boundaries = new HashSet<>();
        for (int i = 1; i < xs.length; i++) {
            boundaries.add(xs[i]);
            boundaries.add(xs[i - 1] + 128);
        }
        double atSeam = 0;
        double elsewhere = 0;
        int ns = 0;
        int ne = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 1; x < w; x++) {
                double d = Math.abs((tiled[y * w + x] - whole[y * w + x]) - (tiled[y * w + x - 1] - whole[y * w + x - 1]));
                if (boundaries.contains(x)) {
                    atSeam += d;
                    ns++;
                } else {
                    elsewhere += d;
                    ne++;
                }
            }
        }
        assertTrue(atSeam / ns < 3 * (elsewhere / ne) + 1e-4, "seam " + atSeam / ns + " vs " + elsewhere / ne);
    }

    @Test
    void autoRoutesEveryFrameAndTheStagePassesAllFramesAndTheEnd() throws Exception {
        try (RestoreEngine auto = RestoreEngine.builder().setModelDir(TestModels.models()).optThreads(2).optMaxBatch(3).build();
             InProcessTransport t = new InProcessTransport(4)) {
            FrameChannel in = t.channel("frames");
            FrameChannel out = t.channel("restored");
            EngineStage stage = new EngineStage(auto, new Batcher(3, 20), in, out, 1);
            Thread worker = new Thread(stage);
            worker.start();
            Thread producer = new Thread(() -> {
                try {
                    for (int i = 0; i < 7; i++) {
                        in.send(frame(i, 64 + (i % 2) * 16, 48));
                    }
                    in.send(Frame.endOfStream("cam", 7));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            producer.start();
            List<Long> seqs = new ArrayList<>();
            Frame end = null;
            while (end == null) {
                Frame f = out.poll(Duration.ofSeconds(30));
                assertNotNull(f, "stage stalled; failure: " + stage.failure());
                if (f.isEndOfStream()) {
                    end = f;
                } else {
                    assertNotNull(f.route());
                    seqs.add(f.seq());
                }
            }
            worker.join(5000);
            assertEquals(7, end.seq());
            assertEquals(7, seqs.size());
            assertEquals(7, new HashSet<>(seqs).size());
            assertEquals(7L, auto.framesPerRoute().values().stream().mapToLong(Long::longValue).sum());
        }
    }
}
