package org.daair.stream.cli.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's classical baselines and synthetic degradations on real pixels (a 128 px crop of
 * a sample frame): FFmpeg's denoisers and the dark channel prior each improve on the degraded
 * input, and the synthesis is repeatable and has the strength it documents.
 */
class ClassicalFiltersTest {

    static final int W = 128;
    static final int H = 128;
    static float[] clean;

    @BeforeAll
    static void loadCrop() throws IOException {
        Path root = Path.of(System.getProperty("daair.repo.root", "..")).toAbsolutePath();
        BufferedImage img = ImageIO.read(root.resolve("samples/frames/04-deblur.png").toFile()).getSubimage(176, 72, W, H);
        clean = new float[3 * W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int p = img.getRGB(x, y);
                clean[y * W + x] = ((p >> 16) & 0xFF) / 255f;
                clean[W * H + y * W + x] = ((p >> 8) & 0xFF) / 255f;
                clean[2 * W * H + y * W + x] = (p & 0xFF) / 255f;
            }
        }
    }

    @Test
    void synthesisIsSeededAndNoiseHasItsSigma() {
        SyntheticDegradation noise = SyntheticDegradation.parse("noise:25");
        float[] a = noise.apply(clean, W, H, 7);
        assertArrayEquals(a, noise.apply(clean, W, H, 7));
        assertTrue(!java.util.Arrays.equals(a, noise.apply(clean, W, H, 8)));
        // sigma 25 -> PSNR 20.17 dB without clipping; clipping at 0 and 255 can only raise it
        double psnr = ImageQuality.psnr(clean, a);
        assertTrue(psnr > 19.9 && psnr < 21.5, "PSNR " + psnr);
        for (String kind : List.of("haze", "rain", "blur", "lowlight")) {
            SyntheticDegradation d = SyntheticDegradation.parse(kind);
            float[] out = d.apply(clean, W, H, 1);
            assertArrayEquals(out, d.apply(clean, W, H, 1), kind);
            assertTrue(ImageQuality.psnr(clean, out) < 35, kind + " changes the image");
        }
        assertEquals("dehaze", SyntheticDegradation.parse("haze:0.8").task());
    }

    @Test
    void ffmpegDenoisersImproveOnNoise() throws IOException {
        SyntheticDegradation noise = SyntheticDegradation.parse("noise:25");
        List<float[]> noisy = new ArrayList<>();
        List<float[]> refs = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // a still scene: hqdn3d's temporal part may help, as on a parked camera
            noisy.add(noise.apply(clean, W, H, i));
            refs.add(clean);
        }
        double in = meanPsnr(refs, noisy);
        for (String filter : ClassicalBaselines.DENOISERS) {
            if (!FfmpegVideoFilter.available(FfmpegVideoFilter.name(filter))) {
                System.out.println(filter + ": not in this FFmpeg build (hqdn3d is GPL-only)");
                continue;
            }
            List<float[]> out = new FfmpegVideoFilter(filter).apply(noisy, W, H);
            double psnr = meanPsnr(refs, out);
            System.out.printf("%s: %.2f dB -> %.2f dB%n", filter, in, psnr);
            assertTrue(psnr > in + 2, filter + ": " + in + " -> " + psnr);
        }
    }

    @Test
    void darkChannelPriorImprovesOnHaze() {
        float[] hazy = SyntheticDegradation.parse("haze").apply(clean, W, H, 3);
        float[] out = DarkChannelDehaze.dehaze(hazy, W, H);
        double in = ImageQuality.psnr(clean, hazy);
        double psnr = ImageQuality.psnr(clean, out);
        System.out.printf("dark channel prior: %.2f dB -> %.2f dB%n", in, psnr);
        assertTrue(psnr > in + 2, in + " -> " + psnr);
    }

    @Test
    void benchComparisonRunsEveryMethodOnTheSameFrames() throws IOException {
        Path root = Path.of(System.getProperty("daair.repo.root", "..")).toAbsolutePath();
        List<org.daair.stream.common.Frame> frames = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            frames.add(new org.daair.stream.common.Frame("bench", i, i * 40_000L, W, H, clean.clone(), null, null));
        }
        List<ClassicalBaselines.Result> results;
        try (org.daair.stream.engine.RestoreEngine engine = org.daair.stream.engine.RestoreEngine.builder()
                .setModelDir(root.resolve("models")).optThreads(2).build()) {
            results = ClassicalBaselines.run(engine, 2, frames).results();
        }
        List<String> methods = results.stream().map(r -> r.degradation() + " " + r.method()).toList();
        assertTrue(methods.contains("noise:25 DaAIR (auto)") && methods.contains("noise:25 DaAIR (denoise forced)")
                && methods.contains("noise:25 FFmpeg " + ClassicalBaselines.NLMEANS)
                && methods.contains("haze DaAIR (dehaze forced)") && methods.contains("haze dark channel prior"), methods.toString());
        for (ClassicalBaselines.Result r : results) {
            assertEquals(2, r.frames(), r.toString());
            assertTrue(r.fps() > 0 && Double.isFinite(r.psnr()), r.toString());
            // every method is scored against the same degraded input
            double in = results.stream().filter(x -> x.degradation().equals(r.degradation())).findFirst().orElseThrow().psnrIn();
            assertEquals(in, r.psnrIn(), 1e-12, r.toString());
            if (r.method().equals("DaAIR (denoise forced)")) {
                assertTrue(r.psnr() > r.psnrIn() + 3, r.toString());
            }
        }
    }

    private static double meanPsnr(List<float[]> refs, List<float[]> imgs) {
        double s = 0;
        for (int i = 0; i < refs.size(); i++) {
            s += ImageQuality.psnr(refs.get(i), imgs.get(i));
        }
        return s / refs.size();
    }
}
