package org.daair.stream.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.daair.stream.common.Frame;
import org.junit.jupiter.api.Test;

/**
 * A warm start on sequences whose answer is known: a still grey scene with fresh noise in every
 * frame and a white square that moves through it. The start must come out calm and averaged, the
 * square as it is, every frame once and in order, and from the held frames on nothing may differ
 * from a cold start.
 */
class WarmStartTest {

    private static final int W = 64;
    private static final int H = 48;
    private static final int PLANE = W * H;

    /** Grey 0.5 with Gaussian noise SIGMA, and a white 12 x 12 square at x0 (none when negative). */
    private static Frame frame(long seq, Random rnd, double sigma, int x0) {
        return frame(seq, rnd, sigma, x0, 0.5);
    }

    private static Frame frame(long seq, Random rnd, double sigma, int x0, double grey) {
        float[] px = new float[3 * PLANE];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    boolean sq = x0 >= 0 && x >= x0 && x < x0 + 12 && y >= 18 && y < 30;
                    px[c * PLANE + y * W + x] = (float) ((sq ? 1.0 : grey) + sigma * rnd.nextGaussian());
                }
            }
        }
        return new Frame("cam", seq, seq * 40_000, W, H, px, "denoise", null);
    }

    /** The clip: N frames, the square moving 6 pixels a frame from x = 2 from frame MOVES_FROM on (absent before). */
    private static List<Frame> clip(int n, int movesFrom) {
        Random rnd = new Random(7);
        List<Frame> out = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            out.add(frame(t, rnd, 0.04, t < movesFrom ? -1 : 2 + 6 * (t - movesFrom)));
        }
        return out;
    }

    private static TemporalStabilizer filter() {
        return new TemporalStabilizer(0.97, 0.2, 3, 0.005);
    }

    /** Every frame of CLIP through a warm start of K frames, then the stream's end (dropped from the result). */
    private static List<Frame> warm(List<Frame> clip, int k) {
        WarmStart w = new WarmStart(filter(), k, Long.MAX_VALUE);
        List<Frame> out = new ArrayList<>();
        for (Frame f : clip) {
            out.addAll(w.apply(f));
        }
        w.apply(Frame.endOfStream("cam", clip.size())).stream().filter(f -> !f.isEndOfStream()).forEach(out::add);
        return out;
    }

    /** The mean of V over the grey background's values (away from where the square ever is), V of a value's index. */
    private static double overBackground(java.util.function.IntToDoubleFunction v) {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < H; y++) {
                if (y < 14 || y >= 34) {
                    for (int x = 0; x < W; x++) {
                        sum += v.applyAsDouble(c * PLANE + y * W + x);
                        n++;
                    }
                }
            }
        }
        return sum / n;
    }

    /** The background's rms error against 0.5 (or GREY). */
    private static double backgroundRms(Frame f) {
        return backgroundRms(f, 0.5);
    }

    private static double backgroundRms(Frame f, double grey) {
        return Math.sqrt(overBackground(i -> (f.rgb()[i] - grey) * (f.rgb()[i] - grey)));
    }

    /** The background's mean absolute change from B to A. */
    private static double backgroundChange(Frame a, Frame b) {
        return overBackground(i -> Math.abs(a.rgb()[i] - b.rgb()[i]));
    }

    @Test
    void theStartComesOutAveragedAndCalmAndTheRestAsFromAColdStart() {
        List<Frame> clip = clip(24, 100);
        List<Frame> cold = warm(clip, 0);
        List<Frame> warm = warm(clip, 8);
        assertEquals(clip.size(), warm.size(), "every frame comes out once");
        for (int t = 0; t < clip.size(); t++) {
            assertEquals(t, warm.get(t).seq(), "in order");
        }
        // the first frame: averaged over the 8 held instead of not at all (noise 0.04 -> about 0.014)
        assertTrue(backgroundRms(cold.get(0)) > 0.035, "a cold start leaves the first frame as it is: " + backgroundRms(cold.get(0)));
        assertTrue(backgroundRms(warm.get(0)) < 0.02, "a warm start averages it: " + backgroundRms(warm.get(0)));
        double coldChange = 0;
        double warmChange = 0;
        for (int t = 1; t < 6; t++) {
            coldChange += backgroundChange(cold.get(t), cold.get(t - 1));
            warmChange += backgroundChange(warm.get(t), warm.get(t - 1));
        }
        assertTrue(warmChange < 0.2 * coldChange, "the first frames' change: cold " + coldChange + ", warm " + warmChange);
        for (int t = 7; t < clip.size(); t++) {
            assertArrayEquals(cold.get(t).rgb(), warm.get(t).rgb(), "frame " + t + " on: as from a cold start");
        }
    }

    @Test
    void afterACutTheFilterStartsWarmAgain() {
        Random rnd = new Random(3);
        List<Frame> clip = new ArrayList<>();
        for (int t = 0; t < 40; t++) {
            clip.add(frame(t, rnd, 0.04, -1, t < 20 ? 0.5 : 0.2));   // another scene from frame 20
        }
        List<Frame> cold = warm(clip, 0);
        List<Frame> warm = warm(clip, 8);
        assertEquals(clip.size(), warm.size());
        assertTrue(backgroundRms(cold.get(20), 0.2) > 0.035, "a restart leaves the cut's frame as it is: " + backgroundRms(cold.get(20), 0.2));
        assertTrue(backgroundRms(warm.get(20), 0.2) < 0.02, "a warm restart averages it: " + backgroundRms(warm.get(20), 0.2));
        assertTrue(Math.abs(TemporalStabilizerTest.mean(warm.get(19)) - 0.5) < 0.01 && Math.abs(TemporalStabilizerTest.mean(warm.get(20)) - 0.2) < 0.01,
                "nothing crosses the cut: " + TemporalStabilizerTest.mean(warm.get(19)) + ", " + TemporalStabilizerTest.mean(warm.get(20)));
        for (int t = 8; t < 20; t++) {
            assertArrayEquals(cold.get(t).rgb(), warm.get(t).rgb(), "frame " + t + ": as without");
        }
        for (int t = 27; t < clip.size(); t++) {
            assertArrayEquals(cold.get(t).rgb(), warm.get(t).rgb(), "frame " + t + ": as without");
        }
    }

    @Test
    void whatMovesDuringTheStartIsTakenAsItIs() {
        List<Frame> clip = clip(16, 2);   // the square moves from frame 2 on, inside the 8 held
        List<Frame> warm = warm(clip, 8);
        for (int t = 2; t < 8; t++) {
            int x0 = 2 + 6 * (t - 2);
            double sum = 0;
            for (int y = 20; y < 28; y++) {
                for (int x = x0 + 2; x < x0 + 10; x++) {
                    sum += warm.get(t).rgb()[y * W + x];
                }
            }
            assertTrue(sum / 64 > 0.9, "the square at frame " + t + " keeps its brightness: " + sum / 64);
        }
    }

    @Test
    void aStreamShorterThanTheStartComesOutAtItsEndAndTheHeapBoundsWhatIsHeld() {
        List<Frame> clip = clip(5, 100);
        WarmStart w = new WarmStart(filter(), 16, Long.MAX_VALUE);
        for (Frame f : clip) {
            assertTrue(w.apply(f).isEmpty(), "held until 16 are restored or the stream ends");
        }
        assertEquals(5, w.held("cam"));
        List<Frame> out = w.apply(Frame.endOfStream("cam", 5));
        assertEquals(6, out.size(), "the five, then the end");
        assertTrue(out.get(5).isEndOfStream());
        assertTrue(backgroundRms(out.get(0)) < 0.025, "averaged over the five: " + backgroundRms(out.get(0)));

        long frameBytes = 3L * Float.BYTES * 3 * PLANE;
        assertEquals(3, new WarmStart(filter(), 16, 3 * frameBytes + 1).startFrames(clip.get(0)));
        WarmStart small = new WarmStart(filter(), 16, frameBytes);
        assertEquals(1, small.apply(clip.get(0)).size(), "room for one frame: nothing is held");
    }
}
