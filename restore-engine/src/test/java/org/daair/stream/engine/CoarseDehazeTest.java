package org.daair.stream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.daair.stream.common.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Coarse-to-fine dehazing: the factor rule, the affine transfer on haze whose answer is known,
 * and the engine's whole coarse path (downscale, the real dehaze graph, transfer) against
 * PyTorch's reference from training/export.py.
 */
class CoarseDehazeTest {

    @Test
    void theFactorBringsTheLongerSideNearTheCoarseSide() {
        assertEquals(4, CoarseDehaze.factor(1024, 768, 256));
        assertEquals(8, CoarseDehaze.factor(1920, 1080, 256), "240 px: the longer side stays at most 256");
        assertEquals(2, CoarseDehaze.factor(384, 216, 256), "192 px: frames longer than the side go coarse");
        assertEquals(1, CoarseDehaze.factor(256, 144, 256), "no longer than the side: no coarse pass");
        assertEquals(2, CoarseDehaze.factor(257, 144, 256));
        assertEquals(1, CoarseDehaze.factor(1920, 1080, 0), "0 = off");
        assertEquals(3, CoarseDehaze.coarse(7, 3), "a partial cell at the edge counts");
    }

    private static double psnr(float[] a, float[] b) {
        double se = 0;
        for (int i = 0; i < a.length; i++) {
            se += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return 10 * Math.log10(a.length / se);
    }

    @Test
    void givenTheCoarseHazeFreeFrameTheTransferRecoversTheFullOne() {
        // a textured scene under haze thickening from left to right: I = J t + A (1 - t)
        int w = 301;
        int h = 200;
        int plane = w * h;
        Random rnd = new Random(1);
        float[] clean = new float[3 * plane];
        float[] hazy = new float[3 * plane];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double t = 0.8 - 0.6 * x / (w - 1.0);
                for (int c = 0; c < 3; c++) {
                    double j = 0.45 + 0.25 * Math.sin(x * 0.21 + c) * Math.cos(y * 0.17) + 0.05 * rnd.nextGaussian();
                    clean[c * plane + y * w + x] = (float) j;
                    hazy[c * plane + y * w + x] = (float) (j * t + 0.9 * (1 - t));
                }
            }
        }
        int f = CoarseDehaze.factor(w, h, 110);
        assertEquals(3, f);
        float[] out = CoarseDehaze.transfer(CoarseDehaze.downscale(hazy, w, h, f), CoarseDehaze.downscale(clean, w, h, f), hazy, w, h, f);
        double before = psnr(hazy, clean);
        double after = psnr(out, clean);
        assertTrue(after > 35 && after > before + 15, "the full-size haze-free frame comes back: " + before + " -> " + after + " dB");
    }

    /** dehaze: a textured scene, the default path; guard: a flat scene from above, the guard on */
    @ParameterizedTest
    @ValueSource(strings = {"dehaze", "guard"})
    void theEnginesCoarsePathMatchesPyTorch(String kind) throws Exception {
        Path dir = TestModels.models().resolve("reference");
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("daair-s-coarse-" + kind + ".json").toFile());
        float[] x = ReferenceParityTest.read(dir.resolve(meta.get("input").asText()));
        float[] expected = ReferenceParityTest.read(dir.resolve(meta.get("output").asText()));
        int h = meta.get("input_shape").get(2).asInt();
        int w = meta.get("input_shape").get(3).asInt();
        assertEquals(meta.get("factor").asInt(), CoarseDehaze.factor(w, h, meta.get("coarse_side").asInt()));
        try (RestoreEngine engine = RestoreEngine.builder().setModelDir(TestModels.models()).optTask(Task.DEHAZE).optThreads(2)
                .optCoarseSide(meta.get("coarse_side").asInt()).optCoarseGuard(meta.get("guard").asBoolean()).build();
             RestoreEngine full = RestoreEngine.builder().setModelDir(TestModels.models()).optTask(Task.DEHAZE).optThreads(2)
                .optCoarseSide(0).build()) {
            Frame in = new Frame("ref", 0, 0, w, h, x, null, "ref.png");
            float[] got = engine.restore("dehaze", List.of(in)).get(0).rgb();
            double max = 0;
            for (int i = 0; i < expected.length; i++) {
                max = Math.max(max, Math.abs(expected[i] - got[i]));
            }
            assertTrue(max <= meta.get("tolerance").asDouble(), "max abs diff " + max);
            float[] atFullSize = full.restore("dehaze", List.of(in)).get(0).rgb();
            assertTrue(psnr(atFullSize, got) < 40, "coarse side 0 runs the network at full size instead");
        }
        if (meta.get("guard_weight").asDouble() > 0.5) {
            try (RestoreEngine unguarded = RestoreEngine.builder().setModelDir(TestModels.models()).optTask(Task.DEHAZE)
                    .optThreads(2).optCoarseSide(meta.get("coarse_side").asInt()).optCoarseGuard(false).build()) {
                float[] copyOnly = unguarded.restore("dehaze", List.of(new Frame("ref", 0, 0, w, h, x, null, "ref.png"))).get(0).rgb();
                double brighter = CoarseDehaze.lumaMean(expected) - CoarseDehaze.lumaMean(copyOnly);
                assertTrue(brighter > 0.05, "the guard undoes the copy's darkening, off it stays: " + brighter);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> RestoreEngine.builder().optCoarseSide(16));
        assertThrows(IllegalArgumentException.class, () -> RestoreEngine.builder().optCoarseGuardGap(0));
    }

    @Test
    void theGuardUndoesACopyThatDarkensTheFrameAndLeavesOneThatAgrees() {
        int w = 120;
        int h = 90;
        int n = CoarseDehaze.guardSide(w, h, 256);
        assertEquals(90, n, "the shorter side when the coarse side is longer");
        Random rnd = new Random(2);
        float[] scene = new float[3 * w * h];
        for (int i = 0; i < scene.length; i++) {
            scene[i] = 0.2f + 0.6f * rnd.nextFloat();
        }
        float[] nativeSquare = CoarseDehaze.centralSquare(scene, w, h, n);
        // agreeing: the same array back, untouched
        assertTrue(CoarseDehaze.guard(scene, w, h, nativeSquare, n, CoarseDehaze.GUARD_GAP) == scene);
        // a copy path that halved the frame: gap about -0.25, the calibrated copy alone (a = 2, b = 0)
        float[] dark = new float[scene.length];
        for (int i = 0; i < scene.length; i++) {
            dark[i] = scene[i] * 0.5f;
        }
        float[] guarded = CoarseDehaze.guard(dark, w, h, nativeSquare, n, CoarseDehaze.GUARD_GAP);
        double max = 0;
        for (int i = 0; i < scene.length; i++) {
            max = Math.max(max, Math.abs(guarded[i] - scene[i]));
        }
        assertTrue(max < 1e-5, "the darkening undone everywhere, not only in the square: " + max);
        assertEquals(0.0, CoarseDehaze.guardWeight(-0.08, 0.08), 1e-12);
        assertEquals(0.5, CoarseDehaze.guardWeight(-0.12, 0.08), 1e-12);
        assertEquals(1.0, CoarseDehaze.guardWeight(-0.3, 0.08), 1e-12);
        // a smaller gap (engine.coarse_guard_gap) starts and ends the ramp sooner
        assertEquals(0.0, CoarseDehaze.guardWeight(-0.03, 0.03), 1e-12);
        assertEquals(0.5, CoarseDehaze.guardWeight(-0.045, 0.03), 1e-12);
        assertEquals(1.0, CoarseDehaze.guardWeight(-0.06, 0.03), 1e-12);
        // a copy path 0.05 darker: left alone at the default gap, half corrected at 0.03
        float[] slightly = new float[scene.length];
        for (int i = 0; i < scene.length; i++) {
            slightly[i] = scene[i] * 0.9f;
        }
        double gapThere = CoarseDehaze.lumaMean(CoarseDehaze.centralSquare(slightly, w, h, n)) - CoarseDehaze.lumaMean(nativeSquare);
        assertTrue(gapThere < -0.03 && gapThere > -0.08, "the test's darkening sits between the two gaps: " + gapThere);
        assertTrue(CoarseDehaze.guard(slightly, w, h, nativeSquare, n, CoarseDehaze.GUARD_GAP) == slightly);
        float[] corrected = CoarseDehaze.guard(slightly, w, h, nativeSquare, n, 0.03);
        assertTrue(CoarseDehaze.lumaMean(corrected) > CoarseDehaze.lumaMean(slightly) + 0.005,
                "a smaller gap corrects what the default leaves");
    }
}
