package org.daair.stream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daair eval} on real images (128 px crops of the sample frames) with the real graphs:
 * its PSNR and SSIM against a separate, brute-force computation from the images it saved, the
 * restoration's gain on synthetic noise, the JSON, pairing of a degraded folder, and bad input.
 */
class EvalCommandTest {

    private static final List<String> SAMPLES = List.of("02-derain.png", "03-dehaze.png", "04-deblur.png");

    @TempDir
    static Path tmp;
    static Path clean;
    static Path saved;
    static JsonNode synthReport;

    @BeforeAll
    static void evalSyntheticNoise() throws IOException {
        clean = Files.createDirectories(tmp.resolve("clean"));
        for (String name : SAMPLES) {
            BufferedImage full = ImageIO.read(CliTestSupport.samples().resolve("frames").resolve(name).toFile());
            ImageIO.write(full.getSubimage(176, 72, 128, 128), "png", clean.resolve(name).toFile());
        }
        saved = tmp.resolve("saved");
        Path json = tmp.resolve("synth.json");
        CliTestSupport.Result r = CliTestSupport.run("eval", "--clean", clean.toString(), "--synth", "noise:25",
                "--model", CliTestSupport.models().toString(), "--save", saved.toString(), "--json", json.toString());
        assertEquals(0, r.exit(), r.stderr());
        synthReport = new ObjectMapper().readTree(json.toFile());
    }

    @Test
    void psnrAndSsimMatchAnIndependentComputationOnTheSavedImages() throws IOException {
        JsonNode images = synthReport.get("images");
        assertEquals(SAMPLES.size(), images.size());
        for (JsonNode im : images) {
            int[][] ref = pixels(clean.resolve(im.get("name").asText()));
            int[][] deg = pixels(saved.resolve("degraded").resolve(im.get("name").asText()));
            int[][] out = pixels(saved.resolve("restored").resolve(im.get("name").asText()));
            assertEquals(psnr(ref, deg), im.get("psnr_degraded").asDouble(), 1e-9, im.toString());
            assertEquals(psnr(ref, out), im.get("psnr_restored").asDouble(), 1e-9, im.toString());
            assertEquals(ssim(ref, deg, 128, 128), im.get("ssim_degraded").asDouble(), 1e-9, im.toString());
            assertEquals(ssim(ref, out, 128, 128), im.get("ssim_restored").asDouble(), 1e-9, im.toString());
            // noise of sigma 25 on 8 bits: about 20.2 dB (a little more where clipping at 0/255 helps)
            assertTrue(im.get("psnr_degraded").asDouble() > 19.5 && im.get("psnr_degraded").asDouble() < 22, im.toString());
        }
    }

    @Test
    void restorationBeatsTheNoisyInput() {
        for (JsonNode im : synthReport.get("images")) {
            assertTrue(im.get("psnr_restored").asDouble() > im.get("psnr_degraded").asDouble() + 1, im.toString());
            assertTrue(im.get("ssim_restored").asDouble() > im.get("ssim_degraded").asDouble(), im.toString());
        }
    }

    @Test
    void jsonHoldsTheSetupMeansAndRoutes() {
        assertEquals("noise:25", synthReport.get("synth").asText());
        assertEquals("denoise", synthReport.get("expected_route").asText());
        assertEquals("auto", synthReport.get("task").asText());
        JsonNode images = synthReport.get("images");
        double psnrIn = 0;
        double psnr = 0;
        double ssim = 0;
        long toDenoise = 0;
        for (JsonNode im : images) {
            psnrIn += im.get("psnr_degraded").asDouble() / images.size();
            psnr += im.get("psnr_restored").asDouble() / images.size();
            ssim += im.get("ssim_restored").asDouble() / images.size();
            toDenoise += im.get("route").asText().equals("denoise") ? 1 : 0;
        }
        JsonNode mean = synthReport.get("mean");
        assertEquals(images.size(), mean.get("n").asInt());
        assertEquals(psnrIn, mean.get("psnr_degraded").asDouble(), 1e-9);
        assertEquals(psnr, mean.get("psnr_restored").asDouble(), 1e-9);
        assertEquals(psnr - psnrIn, mean.get("gain_db").asDouble(), 1e-9);
        assertEquals(ssim, mean.get("ssim_restored").asDouble(), 1e-9);
        assertEquals(toDenoise / (double) images.size(), synthReport.get("routing_accuracy").asDouble(), 1e-12);
        long routed = 0;
        for (JsonNode n : synthReport.get("routes")) {
            routed += n.asLong();
        }
        assertEquals(images.size(), routed);
    }

    @Test
    void aDegradedFolderIsPairedByNameAndRoutedAsExpected() throws IOException {
        Path json = tmp.resolve("folder.json");
        CliTestSupport.Result r = CliTestSupport.run("eval", "--clean", clean.toString(), "--degraded", saved.resolve("degraded").toString(),
                "--task", "denoise", "--model", CliTestSupport.models().toString(), "--json", json.toString());
        assertEquals(0, r.exit(), r.stderr());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertTrue(report.get("task_forced").asBoolean());
        assertTrue(report.get("routing_accuracy").isNull(), "a forced task has no routing accuracy");
        for (int i = 0; i < SAMPLES.size(); i++) {
            JsonNode a = synthReport.get("images").get(i);
            JsonNode b = report.get("images").get(i);
            assertEquals(a.get("name").asText(), b.get("name").asText());
            // the same degraded images, read back from their files
            assertEquals(a.get("psnr_degraded").asDouble(), b.get("psnr_degraded").asDouble(), 1e-12);
            assertEquals("denoise", b.get("route").asText());
            assertTrue(b.get("psnr_restored").asDouble() > b.get("psnr_degraded").asDouble());
        }
    }

    @Test
    void badInputIsOneLineAndNonZero() throws IOException {
        Path other = Files.createDirectories(tmp.resolve("other-names"));
        Files.copy(clean.resolve(SAMPLES.get(0)), other.resolve("unrelated.png"));
        Path smaller = Files.createDirectories(tmp.resolve("smaller"));
        BufferedImage img = ImageIO.read(clean.resolve(SAMPLES.get(0)).toFile());
        ImageIO.write(img.getSubimage(0, 0, 64, 64), "png", smaller.resolve(SAMPLES.get(0)).toFile());
        String models = CliTestSupport.models().toString();
        assertOneLineError(CliTestSupport.run("eval", "--clean", tmp.resolve("missing").toString(), "--synth", "noise", "--model", models),
                "does not exist");
        assertOneLineError(CliTestSupport.run("eval", "--clean", clean.toString(), "--degraded", other.toString(), "--model", models),
                "no image");
        assertOneLineError(CliTestSupport.run("eval", "--clean", clean.toString(), "--degraded", smaller.toString(), "--model", models),
                "same size");
        assertOneLineError(CliTestSupport.run("eval", "--clean", clean.toString(), "--synth", "fog", "--model", models),
                "unknown degradation");
    }

    private static void assertOneLineError(CliTestSupport.Result r, String expected) {
        assertNotEquals(0, r.exit());
        String err = r.stderr().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("daair: error: ") && err.contains(expected), err);
    }

    /** [channel][y * w + x] 8-bit values. */
    private static int[][] pixels(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        int w = img.getWidth();
        int h = img.getHeight();
        int[][] c = new int[3][w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y);
                c[0][y * w + x] = (p >> 16) & 0xFF;
                c[1][y * w + x] = (p >> 8) & 0xFF;
                c[2][y * w + x] = p & 0xFF;
            }
        }
        return c;
    }

    private static double psnr(int[][] a, int[][] b) {
        double se = 0;
        long n = 0;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < a[c].length; i++) {
                se += Math.pow(a[c][i] - b[c][i], 2);
                n++;
            }
        }
        return 10 * Math.log10(255.0 * 255 / (se / n));
    }

    /** scikit-image's structural_similarity defaults, window by window (no running sums). */
    private static double ssim(int[][] a, int[][] b, int w, int h) {
        double c1 = Math.pow(0.01, 2);
        double c2 = Math.pow(0.03, 2);
        double total = 0;
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            int count = 0;
            for (int y = 3; y < h - 3; y++) {
                for (int x = 3; x < w - 3; x++) {
                    double ma = 0;
                    double mb = 0;
                    for (int dy = -3; dy <= 3; dy++) {
                        for (int dx = -3; dx <= 3; dx++) {
                            ma += a[c][(y + dy) * w + x + dx] / 255.0 / 49;
                            mb += b[c][(y + dy) * w + x + dx] / 255.0 / 49;
                        }
                    }
                    double va = 0;
                    double vb = 0;
                    double cov = 0;
                    for (int dy = -3; dy <= 3; dy++) {
                        for (int dx = -3; dx <= 3; dx++) {
                            double da = a[c][(y + dy) * w + x + dx] / 255.0 - ma;
                            double db = b[c][(y + dy) * w + x + dx] / 255.0 - mb;
                            va += da * da / 48;
                            vb += db * db / 48;
                            cov += da * db / 48;
                        }
                    }
                    sum += (2 * ma * mb + c1) * (2 * cov + c2) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
                    count++;
                }
            }
            total += sum / count;
        }
        return total / 3;
    }
}
