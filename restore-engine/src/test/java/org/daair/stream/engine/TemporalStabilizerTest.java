package org.daair.stream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntToDoubleFunction;
import org.daair.stream.common.Frame;
import org.junit.jupiter.api.Test;

/**
 * The stabiliser on synthetic sequences whose answer is known: a still scene with fresh noise per
 * frame (the noise must calm down), a square moving across it (it must stay where it is, sharp),
 * an original passed through and a scene cut (neither may be blended).
 */
class TemporalStabilizerTest {

    private static final int W = 64;
    private static final int H = 48;

    /** Grey 0.5 with Gaussian noise, and optionally a white square at x0. */
    private static Frame frame(String stream, long seq, Random rnd, double sigma, int squareX, String route) {
        float[] px = new float[3 * W * H];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    boolean sq = squareX >= 0 && x >= squareX && x < squareX + 12 && y >= 18 && y < 30;
                    px[c * W * H + y * W + x] = (float) ((sq ? 1.0 : 0.5) + sigma * rnd.nextGaussian());
                }
            }
        }
        return new Frame(stream, seq, seq * 40_000, W, H, px, route, null);
    }

    private static double flicker(List<Frame> frames) {
        List<float[]> px = frames.stream().map(Frame::rgb).toList();
        List<float[]> still = new ArrayList<>();
        float[] grey = new float[3 * W * H];
        java.util.Arrays.fill(grey, 0.5f);
        for (int i = 0; i < px.size(); i++) {
            still.add(grey);
        }
        return Flicker.measure(px, still, W, H);
    }

    @Test
    void noiseOnAStillSceneCalmsDown() {
        Random rnd = new Random(1);
        TemporalStabilizer s = new TemporalStabilizer(0.9, 0.1, 3);
        List<Frame> in = new ArrayList<>();
        List<Frame> out = new ArrayList<>();
        for (int t = 0; t < 30; t++) {
            Frame f = frame("cam", t, rnd, 0.03, -1, "denoise");
            in.add(f);
            out.add(s.apply(f));
        }
        double before = flicker(in);
        double after = flicker(out);
        assertTrue(after < 0.4 * before, "frame-to-frame change on a still scene: " + before + " -> " + after);
        double mean = 0;
        for (float v : out.get(29).rgb()) {
            mean += v;
        }
        assertEquals(0.5, mean / (3 * W * H), 0.005, "brightness is kept");
    }

    /** A textured 16 x 16 patch (the same texture every frame) at x0 on grey, with fresh noise: the clean frame when sigma is 0. */
    private static Frame patch(long seq, Random noise, double sigma, int x0) {
        Random texture = new Random(42);
        float[] px = new float[3 * W * H];
        java.util.Arrays.fill(px, 0.5f);
        for (int y = 16; y < 32; y++) {
            for (int x = x0; x < x0 + 16; x++) {
                float v = 0.6f + 0.4f * texture.nextFloat();
                for (int c = 0; c < 3; c++) {
                    px[c * W * H + y * W + x] = v;
                }
            }
        }
        for (int i = 0; i < px.length; i++) {
            px[i] += (float) (sigma * noise.nextGaussian());
        }
        return new Frame("cam", seq, seq * 40_000, W, H, px, "denoise", null);
    }

    @Test
    void aMovingObjectIsDenoisedAlongItsMotionAndLeavesNoTrail() {
        // a textured object moving 3 px a frame in noise: the motion test takes it as it is (it
        // moves), so it would boil as restored; blended with the previous output where it was, it calms
        Random rnd = new Random(10);
        TemporalStabilizer s = new TemporalStabilizer(0.97, 0.1, 3, 0.005);
        double sigma = 0.03;
        double seObject = 0;
        double seTrail = 0;
        int n = 0;
        for (int t = 0; t < 12; t++) {
            int x0 = 4 + 3 * t;
            Frame out = s.apply(patch(t, rnd, sigma, x0));
            if (t >= 6) {
                float[] clean = patch(t, new Random(0), 0, x0).rgb();
                for (int y = 18; y < 30; y++) {
                    for (int x = x0 + 2; x < x0 + 14; x++) {
                        double d = out.rgb()[y * W + x] - clean[y * W + x];
                        seObject += d * d;
                        n++;
                    }
                    // where the object was two frames ago: grey now
                    double g = out.rgb()[y * W + x0 - 4] - 0.5;
                    seTrail += g * g;
                }
            }
        }
        double rmsObject = Math.sqrt(seObject / n);
        double rmsTrail = Math.sqrt(seTrail / (6 * 12));
        assertTrue(rmsObject < 0.6 * sigma, "the moving object is denoised along its motion: rms " + rmsObject + " against noise " + sigma);
        assertTrue(rmsTrail < 1.5 * sigma, "and leaves no trail: rms " + rmsTrail);
    }

    @Test
    void theBoxFilterOverManyCoresIsTheBoxAverage() {
        // a frame large enough for the parallel path (strips of columns, rows in order), against
        // the average taken pixel by pixel with clamped edges
        int w = 301;
        int h = 240;
        assertTrue(w * h >= TemporalStabilizer.PARALLEL_PIXELS);
        Random rnd = new Random(11);
        float[] d = new float[w * h];
        for (int i = 0; i < d.length; i++) {
            d[i] = rnd.nextFloat();
        }
        int r = 3;
        float[] got = TemporalStabilizer.box(d, w, h, r);
        double worst = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double sum = 0;
                for (int dy = -r; dy <= r; dy++) {
                    for (int dx = -r; dx <= r; dx++) {
                        int yy = Math.min(h - 1, Math.max(0, y + dy));
                        int xx = Math.min(w - 1, Math.max(0, x + dx));
                        sum += d[yy * w + xx];
                    }
                }
                worst = Math.max(worst, Math.abs(got[y * w + x] - sum / ((2 * r + 1) * (2 * r + 1))));
            }
        }
        assertTrue(worst < 1e-5, "the box average, to float precision: " + worst);
    }

    @Test
    void aMovingObjectStaysSharpAndLeavesNoTrail() {
        Random rnd = new Random(2);
        TemporalStabilizer s = new TemporalStabilizer(0.9, 0.1, 3);
        Frame last = null;
        for (int t = 0; t < 10; t++) {
            last = s.apply(frame("cam", t, rnd, 0.01, 4 * t, "derain"));
        }
        // the square is at x 36..47 in the last frame and was at 32..43 in the one before
        int plane = W * H;
        float arrived = last.rgb()[24 * W + 45];  // white now, grey before
        float vacated = last.rgb()[24 * W + 34];  // grey now, white before
        assertTrue(arrived > 0.95, "where the square arrived, the new frame is taken as it is: " + arrived);
        assertTrue(vacated < 0.55, "where it left, no trail remains: " + vacated);
        assertTrue(last.rgb()[plane + 24 * W + 40] > 0.95, "every channel");
    }

    /** A restored frame with a bright blob at (bx, by): restorer residue, not scene content. */
    private static Frame withBlob(Frame f, int bx, int by) {
        float[] px = f.rgb().clone();
        for (int c = 0; c < 3; c++) {
            for (int y = by; y < by + 10; y++) {
                for (int x = bx; x < bx + 10; x++) {
                    px[c * W * H + y * W + x] += 0.3f;
                }
            }
        }
        return f.withPixels(px);
    }

    @Test
    void residueWhereTheInputIsStillIsCalmedOnceTheInputIsSeen() {
        // the input does not move; the restorer adds a blob at another place in every frame (as
        // dehazing amplifies slight input changes): only a stabiliser that sees the input knows
        // that the blob is not motion
        List<Frame> blind = new ArrayList<>();
        List<Frame> seeing = new ArrayList<>();
        TemporalStabilizer withoutInput = new TemporalStabilizer(0.9, 0.1, 3);
        TemporalStabilizer withInput = new TemporalStabilizer(0.9, 0.1, 3);
        Random rnd = new Random(4);
        Random where = new Random(5);
        for (int t = 0; t < 20; t++) {
            Frame input = frame("cam", t, rnd, 0.002, -1, null);
            Frame restored = withBlob(input.withRoute("dehaze"), where.nextInt(W - 10), where.nextInt(H - 10));
            blind.add(withoutInput.apply(restored));
            withInput.observeInput(input);
            seeing.add(withInput.apply(restored));
        }
        double b = flicker(blind);
        double s = flicker(seeing);
        assertTrue(s < 0.5 * b, "residue the input does not show is blended away: " + b + " -> " + s);
    }

    /** Frame t of a still grey scene with a white square in the input at frames FROM .. TO (inclusive). */
    private static Frame input(long t, Random rnd, int from, int to) {
        return frame("cam", t, rnd, 0.002, t >= from && t <= to ? 26 : -1, null);
    }

    /** The restored frame: the input's square as a faint residue (0.5 -> 0.6), as derained streaks leave. */
    private static Frame restored(Frame input) {
        float[] px = input.rgb().clone();
        for (int i = 0; i < px.length; i++) {
            px[i] = px[i] > 0.9f ? 0.6f : px[i];
        }
        return input.withPixels(px).withRoute("derain");
    }

    /** The output at the square's centre at frame 8, the input's square there at frames FROM .. TO. */
    private static double squareAt8(boolean lookahead, int from, int to) {
        TemporalStabilizer s = new TemporalStabilizer(0.95, 0.1, 3, 0.005);
        Random rnd = new Random(11);
        List<Frame> in = new ArrayList<>();
        for (int t = 0; t < 12; t++) {
            in.add(input(t, rnd, from, to));
        }
        double at8 = Double.NaN;
        for (int t = 0; t < 12; t++) {
            if (lookahead) {
                if (t == 0) {
                    s.observeInput(in.get(0));
                }
                if (t + 1 < in.size()) {
                    s.observeInput(in.get(t + 1));   // decoding runs ahead: the next input is seen first
                }
            } else {
                s.observeInput(in.get(t));
            }
            Frame out = s.apply(restored(in.get(t)));
            if (t == 8) {
                at8 = out.rgb()[24 * W + 32];
            }
        }
        return at8;
    }

    @Test
    void aStreakInOneInputFrameIsNotMotionOnceTheNextInputIsSeen() {
        // the square is in the input at frame 8 only (a streak, a flash): with the next input seen,
        // its residue is blended away; without, it reads as motion and comes through
        double seen = squareAt8(true, 8, 8);
        double blind = squareAt8(false, 8, 8);
        assertTrue(seen < 0.53, "the one-frame residue is blended: " + seen);
        assertTrue(blind > 0.57, "without the look-ahead it came through: " + blind);
        // a square that left at frame 7 is not motion at frame 8 either (I(8) = I(6))
        assertTrue(squareAt8(true, 7, 7) < 0.53, "nor what was there in the frame before only");
    }

    @Test
    void somethingThatArrivesAndStaysIsMotion() {
        // the square arrives at frame 8 and stays: it is taken as it is at once
        double arrival = squareAt8(true, 8, 100);
        assertTrue(arrival > 0.57 && arrival > squareAt8(true, 8, 8) + 0.04, "an arrival is motion: " + arrival);
    }

    @Test
    void aSmallObjectFasterThanItsOwnSizeIsNotBlendedAway() {
        // a 12-pixel square moving 12 or 24 pixels a frame is in each place for one frame only, as a
        // streak is; but the restored frame keeps it (here the restorer changes nothing), so the
        // look-ahead must not call it still. Before session 12 it came out at 0.80 and 0.57.
        for (int speed : new int[] {12, 24}) {
            TemporalStabilizer s = new TemporalStabilizer(0.97, 0.055, 3, 0.005);
            Random rnd = new Random(13);
            List<Frame> in = new ArrayList<>();
            for (int t = 0; t < 5; t++) {
                in.add(frame("cam", t, rnd, 0.01, t < 2 ? -1 : speed * (t - 2), null));
            }
            s.observeInput(in.get(0));
            for (int t = 0; t < in.size(); t++) {
                s.observeInput(t + 1 < in.size() ? in.get(t + 1) : Frame.endOfStream("cam", in.size()));
                Frame out = s.apply(in.get(t).withRoute("derain"));
                if (t >= 3) {
                    float centre = out.rgb()[24 * W + speed * (t - 2) + 6];
                    assertTrue(centre > 0.95, "speed " + speed + ", frame " + t + ": the square is kept: " + centre);
                }
            }
        }
    }

    /** Grey 0.5 with noise; a white 12x12 square at x0 and its faint shadow (0.44), 12 px wide, just left of it. */
    private static Frame withShadow(long seq, Random rnd, int x0) {
        float[] px = new float[3 * W * H];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    boolean inRows = y >= 18 && y < 30;
                    double v = inRows && x >= x0 && x < x0 + 12 ? 1.0 : inRows && x >= x0 - 12 && x < x0 ? 0.44 : 0.5;
                    px[c * W * H + y * W + x] = (float) (v + 0.01 * rnd.nextGaussian());
                }
            }
        }
        return new Frame("cam", seq, seq * 40_000, W, H, px, null, null);
    }

    @Test
    void aFaintPartOfAMovingObjectMovesWithIt() {
        // a shadow changes by 0.06 where it moves: below the threshold (0.085) on its own, so it
        // would be blended and trail; joined to the square's edges it is one region of motion
        // (session 12; before, the place it left kept 0.47 instead of 0.50)
        TemporalStabilizer s = new TemporalStabilizer(0.97, 0.085, 3, 0.005);
        Random rnd = new Random(14);
        List<Frame> in = new ArrayList<>();
        for (int t = 0; t < 10; t++) {
            in.add(withShadow(t, rnd, 14 + 3 * t));
        }
        s.observeInput(in.get(0));
        Frame last = null;
        for (int t = 0; t < in.size(); t++) {
            s.observeInput(t + 1 < in.size() ? in.get(t + 1) : Frame.endOfStream("cam", in.size()));
            last = s.apply(in.get(t).withRoute("derain"));
        }
        // at t = 9 the shadow spans x 29..40; it covered 26..28 at t = 8
        double left = 0;
        double shadow = 0;
        for (int y = 20; y < 28; y++) {
            left += (last.rgb()[y * W + 26] + last.rgb()[y * W + 27]) / 16.0;
            shadow += (last.rgb()[y * W + 30] + last.rgb()[y * W + 31]) / 16.0;
        }
        assertTrue(left > 0.49, "where the shadow left, the grey is back: " + left);
        assertTrue(shadow < 0.45, "and the shadow is where it is: " + shadow);
    }

    @Test
    void theWeakLevelIsAQuantileOfTheFramesChange() {
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) {
            v[i] = i / 10000f;   // 0 .. 0.0999, uniform
        }
        assertEquals(0.075, TemporalStabilizer.quantileBelow(v, 0.75, 0.1), 2e-4);
        assertEquals(0.025, TemporalStabilizer.quantileBelow(v, 0.25, 0.1), 2e-4);
        java.util.Arrays.fill(v, 0.5f);   // everything above the top: the quantile reads as the top
        assertEquals(0.1, TemporalStabilizer.quantileBelow(v, 0.75, 0.1), 1e-12);
    }

    @Test
    void aCutIsDecidedOnTheRestoredFramesNotOnTheFiltersOwnOutput() {
        // the input jumps by 0.3 over the whole picture at frame 6 (a new scene, or the degradation
        // switching) and the restored frames by 0.11: a cut, whatever the filter made of the frames
        // before (its strength); against the previous output (0.11 < 0.12) it was not one before
        // session 12, and a slightly different output history could flip it
        for (double strength : new double[] {0.5, 0.97}) {
            TemporalStabilizer s = new TemporalStabilizer(strength, 0.085, 3, 0.005);
            Random rnd = new Random(15);
            List<Frame> in = new ArrayList<>();
            List<Frame> restored = new ArrayList<>();
            for (int t = 0; t < 9; t++) {
                Frame input = brighter(frame("cam", t, rnd, 0.01, -1, null), t < 6 ? -0.2f : 0.1f);
                in.add(input);
                restored.add(brighter(input.withPixels(frame("cam", t, rnd, 0.02, -1, null).rgb()), t < 6 ? -0.1f : 0.01f)
                        .withRoute("dehaze"));
            }
            s.observeInput(in.get(0));
            for (int t = 0; t < in.size(); t++) {
                s.observeInput(t + 1 < in.size() ? in.get(t + 1) : Frame.endOfStream("cam", in.size()));
                Frame out = s.apply(restored.get(t));
                if (t == 6) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(restored.get(6).rgb(), out.rgb(), 0f,
                            "strength " + strength + ": the new scene starts afresh");
                }
            }
        }
    }

    @Test
    void applyWaitsForTheNextInputAndNeverHangs() {
        // a decoding thread that runs ahead at its own pace: apply() waits for each frame's
        // look-ahead (a minute at most) and gives what the single-threaded order gives; after the
        // stream's end it does not wait at all
        Random rnd = new Random(12);
        List<Frame> in = new ArrayList<>();
        for (int t = 0; t < 12; t++) {
            in.add(input(t, rnd, 8, 8));
        }
        TemporalStabilizer threaded = new TemporalStabilizer(0.95, 0.1, 3, 0.005, 60_000);
        TemporalStabilizer ordered = new TemporalStabilizer(0.95, 0.1, 3, 0.005);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
            Thread decoder = new Thread(() -> {
                for (Frame f : in) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                    threaded.observeInput(f);
                }
                threaded.observeInput(Frame.endOfStream("cam", in.size()));
            });
            decoder.start();
            ordered.observeInput(in.get(0));
            for (int t = 0; t < in.size(); t++) {
                if (t + 1 < in.size()) {
                    ordered.observeInput(in.get(t + 1));
                }
                float[] want = ordered.apply(restored(in.get(t))).rgb();
                float[] got = threaded.apply(restored(in.get(t))).rgb();
                org.junit.jupiter.api.Assertions.assertArrayEquals(want, got, 0f, "frame " + t);
            }
            decoder.join();
        });
    }

    @Test
    void aMovingObjectStaysSharpWhenTheInputIsSeen() {
        Random rnd = new Random(6);
        TemporalStabilizer s = new TemporalStabilizer(0.95, 0.1, 3);
        Frame last = null;
        for (int t = 0; t < 10; t++) {
            Frame input = frame("cam", t, rnd, 0.01, 4 * t, null);
            s.observeInput(input);
            last = s.apply(input.withRoute("derain"));
        }
        assertTrue(last.rgb()[24 * W + 45] > 0.95, "the input moved there too: taken as it is");
        assertTrue(last.rgb()[24 * W + 34] < 0.55, "and no trail");
    }

    private static Frame brighter(Frame f, float by) {
        float[] px = f.rgb().clone();
        for (int i = 0; i < px.length; i++) {
            px[i] += by;
        }
        return f.withPixels(px);
    }

    /** The mean of every value of F (WarmStartTest too). */
    static double mean(Frame f) {
        double m = 0;
        for (float v : f.rgb()) {
            m += v;
        }
        return m / f.rgb().length;
    }

    @Test
    void aChangeOfBrightnessOverTheWholePictureIsSmoothedNotTakenAsMotion() {
        // haze removal re-estimating the airlight (or the degradation changing) shifts the whole
        // restored picture at once, while the input stays as it was: that is flicker to spread
        // over frames, not motion to keep (nor a change of light: the input did not change)
        for (boolean inputSeen : new boolean[] {false, true}) {
            Random rnd = new Random(7);
            TemporalStabilizer s = new TemporalStabilizer(0.9, 0.1, 3, 0.005);
            List<Frame> out = new ArrayList<>();
            for (int t = 0; t < 60; t++) {
                Frame input = frame("cam", t, rnd, 0.005, -1, null);
                Frame f = t >= 5 ? brighter(input, 0.08f) : input;
                if (inputSeen) {
                    s.observeInput(input);
                }
                out.add(s.apply(f.withRoute("dehaze")));
            }
            double step = mean(out.get(5)) - mean(out.get(4));
            assertTrue(step > 0 && step < 0.3 * 0.08, "the step is spread over frames (input seen: " + inputSeen + "): " + step);
            assertEquals(0.58, mean(out.get(59)), 0.01, "and the new brightness is reached");
        }
    }

    /**
     * The frame-to-frame change of the still picture's mean level over frames 30-119 of a textured
     * still scene whose restorer adds a fresh error in overall brightness to every frame (sd 0.02,
     * as haze removal re-estimating the airlight) besides pixel noise, with level strength LEVEL.
     */
    private static double levelFlicker(double level, boolean inputSeen, double[] lastMean) {
        Random rnd = new Random(16);
        float[] truth = texture(false);
        TemporalStabilizer s = new TemporalStabilizer(0.97, 0.2, 3, 0.005, 0, true, level);
        double change = 0;
        double prev = Double.NaN;
        Random camera = new Random(17);
        for (int t = 0; t < 120; t++) {
            // the camera's light does not change; each input is seen a frame ahead, as a decoder does
            for (int k = t == 0 ? 0 : t + 1; inputSeen && k <= t + 1 && k < 120; k++) {
                s.observeInput(noisy(truth, 1, 0, 0.01, camera, k));
            }
            double m = mean(s.apply(noisy(truth, 1, 0.02 * rnd.nextGaussian(), 0.01, rnd, t)));
            if (t > 30) {
                change += Math.abs(m - prev);
            }
            prev = m;
        }
        lastMean[0] = prev;
        return change / 89;
    }

    @Test
    void theStillPicturesLevelIsAveragedLongerThanItsPixels() {
        double[] held = new double[1];
        double[] plain = new double[1];
        double withLevel = levelFlicker(TemporalStabilizer.DEFAULT_LEVEL_STRENGTH, true, held);
        double without = levelFlicker(0, true, plain);
        assertTrue(withLevel < 0.75 * without, "the restorer's brightness errors average over more frames: " + without + " -> " + withLevel);
        double truthMean = 0;
        for (float v : texture(false)) {
            truthMean += v;
        }
        truthMean /= 3 * W * H;
        assertEquals(truthMean, held[0], 0.01, "and the level stays the truth's");
        // without the input (the distributed sink) a change of light cannot be told from the
        // restorer's error: the level is blended as the pixels are
        assertEquals(levelFlicker(0, false, plain), levelFlicker(TemporalStabilizer.DEFAULT_LEVEL_STRENGTH, false, held), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new TemporalStabilizer(0.97, 0.2, 3, 0.005, 0, true, 1.0));
    }

    /** F with every value scaled by K (a change of exposure). */
    private static Frame scaled(Frame f, double k) {
        float[] px = f.rgb().clone();
        for (int i = 0; i < px.length; i++) {
            px[i] *= (float) k;
        }
        return f.withPixels(px);
    }

    @Test
    void aChangeOfLightThatTheInputShowsIsFollowedNotLagged() {
        // a camera's exposure darkening the picture by 3 % a frame (a white car drove in): the
        // input shows it, and so does the restored frame; the output must keep up with it, not
        // hold the old light (as the restorer's own brightness pump, above, is held)
        double[] lag = new double[2];
        for (int k = 0; k < 2; k++) {
            boolean inputSeen = k == 1;
            Random rnd = new Random(9);
            TemporalStabilizer s = new TemporalStabilizer(0.95, 0.1, 3, 0.005);
            Frame last = null;
            Frame out = null;
            for (int t = 0; t < 30; t++) {
                Frame input = scaled(frame("cam", t, rnd, 0.01, -1, null), Math.pow(0.97, Math.max(0, t - 10)));
                if (inputSeen) {
                    s.observeInput(input);
                }
                last = input.withRoute("derain");
                out = s.apply(last);
            }
            lag[k] = mean(out) - mean(last);
        }
        assertTrue(lag[0] > 0.05, "without the input, the darkening is smoothed as the restorer's own would be: " + lag[0]);
        assertTrue(Math.abs(lag[1]) < 0.01, "with it, the output keeps the light of the frame it shows: " + lag[1]);
    }

    @Test
    void theChangeOfLightIsAMedianRatioAndTheGainFollowsTheInputsLead() {
        float[] before = new float[1000];
        float[] after = new float[1000];
        for (int i = 0; i < before.length; i++) {
            before[i] = 0.2f + 0.6f * i / before.length;
            after[i] = i < 400 ? 1f : before[i] * 0.95f;   // 40 % of the picture flares: the median ignores it
        }
        assertEquals(-0.05, TemporalStabilizer.lightChange(after, before), 0.001);
        assertEquals(1 - 0.04, TemporalStabilizer.lightGain(-0.05, -0.04), 1e-9, "at most the input's change");
        assertEquals(1 - 0.03, TemporalStabilizer.lightGain(-0.03, -0.05), 1e-9, "at most the restored frame's own");
        assertEquals(1, TemporalStabilizer.lightGain(-0.05, 0.04), 1e-9, "not where they disagree");
        assertEquals(1, TemporalStabilizer.lightGain(0.05, 0.015), 1e-9, "nor under the floor");
    }

    @Test
    void changesBelowTheFloorGetTheFullStrength() {
        double[] flicker = new double[2];
        for (int k = 0; k < 2; k++) {
            Random rnd = new Random(8);
            TemporalStabilizer s = new TemporalStabilizer(0.9, 0.1, 3, k == 0 ? 0 : 0.04);
            List<Frame> out = new ArrayList<>();
            for (int t = 0; t < 30; t++) {
                out.add(s.apply(frame("cam", t, rnd, 0.03, -1, "denoise")));
            }
            flicker[k] = flicker(out);
        }
        assertTrue(flicker[1] < 0.8 * flicker[0], "residue under the floor is blended fully: " + flicker[0] + " -> " + flicker[1]);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new TemporalStabilizer(0.9, 0.1, 3, 0.1),
                "the floor must lie below the threshold");
    }

    @Test
    void afterACutTheOutputIsTheMeanOfTheFramesSinceNotTheFirstHeld() {
        // the first frame after a cut restored badly (0.1 too bright: under the cut threshold from
        // the next), the next ones well: the output must not hold the bad frame at strength 0.97
        // (0.97^4 = 89 % of its error after 4 more frames) but average it away as a running mean
        // does (1 / n of it after n frames)
        TemporalStabilizer s = new TemporalStabilizer(0.97, 0.1, 3);
        float[] grey = new float[3 * W * H];
        java.util.Arrays.fill(grey, 0.2f);
        s.apply(new Frame("cam", 0, 0, W, H, grey, "derain", null));
        float[] bad = new float[3 * W * H];
        java.util.Arrays.fill(bad, 0.7f);
        s.apply(new Frame("cam", 1, 40_000, W, H, bad, "dehaze", null));   // a cut: mean change 0.5
        float[] good = new float[3 * W * H];
        java.util.Arrays.fill(good, 0.6f);
        Frame out = null;
        for (int t = 2; t < 6; t++) {
            out = s.apply(new Frame("cam", t, t * 40_000L, W, H, good.clone(), "dehaze", null));
        }
        // frames 1..5 since the cut: one at 0.7 and four at 0.6 -> 0.62 (held at 0.97: 0.689)
        assertEquals(0.62, mean(out), 1e-4, "the running mean of the five frames since the cut");
        // once warm the strength rules again: a still scene keeps calming at 0.97, not 1 / n
        for (int t = 6; t < 80; t++) {
            out = s.apply(new Frame("cam", t, t * 40_000L, W, H, good.clone(), "dehaze", null));
        }
        assertEquals(0.6, mean(out), 2e-3, "and the bad frame is gone");
    }

    /** A textured still scene: 0.5 + 0.3 sin(x / 3) cos(y / 4), or another one (OTHER). */
    private static float[] texture(boolean other) {
        float[] px = new float[3 * W * H];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    px[c * W * H + y * W + x] = (float) (other ? 0.5 + 0.3 * Math.sin(y / 2.5 + 1) * Math.cos(x / 5.0)
                            : 0.5 + 0.3 * Math.sin(x / 3.0) * Math.cos(y / 4.0));
                }
            }
        }
        return px;
    }

    /** A*TRUTH + B with noise SIGMA, as frame SEQ. */
    private static Frame noisy(float[] truth, double a, double b, double sigma, Random rnd, long seq) {
        float[] px = new float[truth.length];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) (a * truth[i] + b + sigma * rnd.nextGaussian());
        }
        return new Frame("cam", seq, seq * 40_000, W, H, px, "dehaze", null);
    }

    private static double rms(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (double) (a[i] - b[i]);
        }
        return Math.sqrt(s / a.length);
    }

    /** A stabiliser (0.97, 0.2, 3, 0.005) built with the system property PROPERTY set to VALUE, which is then put back. */
    private static TemporalStabilizer stabilizerWith(String property, boolean value) {
        return stabilizerWith(property, Boolean.toString(value));
    }

    private static TemporalStabilizer stabilizerWith(String property, String value) {
        String before = System.getProperty(property);
        System.setProperty(property, value);
        try {
            return new TemporalStabilizer(0.97, 0.2, 3, 0.005);
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
    }

    /**
     * A still textured scene whose restorer changes its mind at frame 20 (a new degradation: the
     * restored frames go from half the contrast and 0.1 brighter to the truth, all with noise
     * 0.03; the input jumps by 0.3): rms error against the truth of outputs 20-24, and their
     * flicker, with or without keeping the scene through the cut (or AFTER: another scene from 20).
     */
    private static double[] restorerSwitch(boolean keep, boolean after) {
        TemporalStabilizer s = stabilizerWith("daair.stabilizer.keepScene", keep);
        float[] truth = texture(false);
        float[] next = after ? texture(true) : truth;
        Random rnd = new Random(21);
        List<Frame> in = new ArrayList<>();
        List<Frame> restored = new ArrayList<>();
        for (int t = 0; t < 25; t++) {
            in.add(noisy(t < 20 ? truth : next, 1, t < 20 ? 0.3 : 0, 0.01, rnd, t));
            restored.add(t < 20 ? noisy(truth, 0.5, 0.35, 0.03, rnd, t) : noisy(next, 1, 0, 0.03, rnd, t));
        }
        s.observeInput(in.get(0));
        double err = 0;
        List<Frame> out = new ArrayList<>();
        for (int t = 0; t < in.size(); t++) {
            s.observeInput(t + 1 < in.size() ? in.get(t + 1) : Frame.endOfStream("cam", in.size()));
            Frame o = s.apply(restored.get(t));
            if (t >= 20) {
                err += rms(o.rgb(), next) / 5;
                out.add(o);
                if (t == 20 && after) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(restored.get(20).rgb(), o.rgb(), 0f, "another scene starts afresh");
                }
            }
        }
        double flicker = 0;
        for (int i = 1; i < out.size(); i++) {
            flicker += rms(out.get(i).rgb(), out.get(i - 1).rgb()) / (out.size() - 1);
        }
        return new double[] {err, flicker};
    }

    /** The mean error against TRUTH of the last output of S fed RESTORED, with the inputs IN seen one frame ahead. */
    private static double lastLevelError(TemporalStabilizer s, List<Frame> in, List<Frame> restored, float[] truth) {
        int n = in.size();
        s.observeInput(in.get(0));
        Frame o = null;
        for (int t = 0; t < n; t++) {
            s.observeInput(t + 1 < n ? in.get(t + 1) : Frame.endOfStream("cam", n));
            o = s.apply(restored.get(t));
        }
        return mean(o) - mean(new Frame("cam", 0, 0, W, H, truth, "dehaze", null));
    }

    /**
     * The mean error of the last output's level over N frames of the still texture: the input
     * A(t) x truth + B(t) with noise 0.01, the restored frames truth + BIAS(t) with noise 0.02.
     */
    private static double levelError(TemporalStabilizer s, long seed, int n, IntToDoubleFunction a,
                                     IntToDoubleFunction b, IntToDoubleFunction bias) {
        float[] truth = texture(false);
        Random rnd = new Random(seed);
        List<Frame> in = new ArrayList<>();
        List<Frame> restored = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            in.add(noisy(truth, a.applyAsDouble(t), b.applyAsDouble(t), 0.01, rnd, t));
            restored.add(noisy(truth, 1, bias.applyAsDouble(t), 0.02, rnd, t));
        }
        return lastLevelError(s, in, restored, truth);
    }

    /**
     * The haze lifts at frame 20 (the input darkens by 0.3 to the truth with noise) while the
     * restorer's level goes from 0.05 too dark to right, too small a change for a cut: the mean
     * error of output 29's level, with the level at the switch as MODE (temporal level at switch).
     */
    private static double levelAfterTheHazeLifts(String mode) {
        return levelError(stabilizerWith("daair.stabilizer.levelAtSwitch", mode), 17, 30,
                t -> t < 20 ? 0.7 : 1, t -> t < 20 ? 0.3 : 0, t -> t < 20 ? -0.05 : 0);
    }

    /**
     * Haze arrives at frame 20 (the input goes from the truth to 0.6 x it + 0.4) and the restorer,
     * which was right, gives frames 0.05 too dark from then on: the mean error of output 29's level,
     * with the level at the switch as MODE.
     */
    private static double levelAfterHazeArrivesDark(String mode) {
        return levelError(stabilizerWith("daair.stabilizer.levelAtSwitch", mode), 20, 30,
                t -> t < 20 ? 1 : 0.6, t -> t < 20 ? 0 : 0.4, t -> t < 20 ? 0 : -0.05);
    }

    /**
     * Haze arrives at frame 20: the input goes from the truth to 0.6 x it + 0.4 (a change as large
     * as a cut, and 27 % brighter), while the restorer, which removes the haze, gives the truth
     * again after three frames 0.08 too bright (not enough for a cut). The mean error of output 39's
     * level, with the light followed at the switch (as before session 19) or not.
     */
    private static double levelAfterHazeArrives(boolean lightAtSwitch) {
        return levelError(stabilizerWith("daair.stabilizer.lightAtSwitch", lightAtSwitch), 19, 40,
                t -> t < 20 ? 1 : 0.6, t -> t < 20 ? 0 : 0.4, t -> t >= 20 && t < 23 ? 0.08 : 0);
    }

    @Test
    void aSwitchOfDegradationIsNotAChangeOfLightToFollow() {
        double followed = levelAfterHazeArrives(true);
        double kept = levelAfterHazeArrives(false);
        // followed, the input's brightening carried the output up with the restorer's own at the
        // switch, and the level hold kept it there; not followed, the three bright frames fade
        assertTrue(followed > 0.03, "following the input's light at the switch: " + followed);
        assertTrue(Math.abs(kept) < 0.015, "the output keeps the restored frames' level: " + kept + " (followed " + followed + ")");
    }

    @Test
    void whereTheHazeLiftsAndTheRestoredLevelIsTheInputsTheLevelStartsAfresh() {
        double held = levelAfterTheHazeLifts("never");
        double restarted = levelAfterTheHazeLifts("agree");
        // held (before session 20), the hazy restorer's level fades slowly (-0.05 -> -0.033 ten
        // frames on); started afresh where the restored level and the input's agree, it is the
        // new frames' (-0.0002)
        assertTrue(held < -0.02, "held through the switch: " + held + " (restarted " + restarted + ")");
        assertTrue(Math.abs(restarted) < 0.01, "started afresh at the switch: " + restarted);
    }

    @Test
    void whereHazeArrivesTheLevelIsHeldThroughTheSwitch() {
        double held = levelAfterHazeArrivesDark("agree");
        double restarted = levelAfterHazeArrivesDark("always");
        // the input brightens, the restored frames come out 0.05 too dark: they do not agree with
        // the input, so the level from before the haze is held (-0.017 ten frames on); restarted
        // at every switch (session 17's experiment), it is the hazy restorer's (-0.05)
        assertTrue(Math.abs(held) < 0.025, "held through the switch: " + held + " (restarted " + restarted + ")");
        assertTrue(restarted < -0.04, "restarted at the switch: " + restarted);
    }

    @Test
    void aCutWhereTheSceneStaysKeepsWhatWasAccumulatedReLit() {
        double[] restart = restorerSwitch(false, false);
        double[] kept = restorerSwitch(true, false);
        // restarting shows the restorer's noise, averaged 1 / n (rms 0.019 over the five frames,
        // flicker 0.012); kept, the accumulated detail re-lit: 0.011 and 0.004
        assertTrue(kept[0] < 0.7 * restart[0], "error after the switch: kept " + kept[0] + ", restarted " + restart[0]);
        assertTrue(kept[1] < 0.5 * restart[1], "flicker after the switch: kept " + kept[1] + ", restarted " + restart[1]);
        // a different scene is a cut as before (asserted inside), and nothing of the old one is kept
        double[] otherScene = restorerSwitch(true, true);
        assertEquals(restorerSwitch(false, true)[0], otherScene[0], 1e-9);
    }

    @Test
    void theSameSceneCorrelatesAndAnotherDoesNot() {
        float[] a = TemporalStabilizer.luma(texture(false), W * H);
        Random rnd = new Random(4);
        float[] darkerNoisy = TemporalStabilizer.luma(noisy(texture(false), 0.5, 0.1, 0.03, rnd, 0).rgb(), W * H);
        float[] b = TemporalStabilizer.luma(texture(true), W * H);
        assertTrue(TemporalStabilizer.sceneCorrelation(a, darkerNoisy, W, H) > 0.8, "the same scene, other light and noise");
        assertTrue(Math.abs(TemporalStabilizer.sceneCorrelation(a, b, W, H)) < TemporalStabilizer.SAME_SCENE, "another scene");
    }

    @Test
    void passthroughAndSceneCutsAreNotBlended() {
        Random rnd = new Random(3);
        TemporalStabilizer s = new TemporalStabilizer(0.9, 0.1, 3);
        s.apply(frame("cam", 0, rnd, 0.02, -1, "denoise"));
        Frame original = frame("cam", 1, rnd, 0.02, -1, FrameRestorer.PASSTHROUGH);
        assertSame(original, s.apply(original), "an original that went out unrestored is written as it is");
        Frame afterPassthrough = frame("cam", 2, rnd, 0.02, -1, "denoise");
        assertSame(afterPassthrough, s.apply(afterPassthrough), "and the filter restarts after it");

        // a cut to a white scene: nothing of the grey one may remain
        float[] white = new float[3 * W * H];
        java.util.Arrays.fill(white, 1f);
        Frame cut = new Frame("cam", 3, 120_000, W, H, white, "denoise", null);
        assertSame(cut, s.apply(cut));

        // streams do not mix
        Frame other = frame("cam-2", 0, rnd, 0.02, -1, "denoise");
        assertSame(other, s.apply(other), "first frame of another stream");
    }
}
