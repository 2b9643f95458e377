package org.daair.stream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #5, bad input: every case runs the real {@code restore} command in-process and must end
 * with exactly one "daair: error: ..." line that names the problem, a non-zero exit, no stack
 * trace, and nothing at (or next to) the output path.
 */
class BadInputTest {

    /** Runs restore and checks the contract; returns the error line. */
    private static String fails(Path outputToCheck, String... args) throws IOException {
        CliTestSupport.Result r = CliTestSupport.run(args);
        String err = r.stderr().strip();
        assertNotEquals(0, r.exit(), "exit code for " + String.join(" ", args) + "\n" + err);
        List<String> errorLines = err.lines().filter(l -> l.startsWith("daair: error: ")).toList();
        assertEquals(1, errorLines.size(), err);
        assertFalse(err.contains("\tat "), "stack trace printed:\n" + err);
        assertFalse(err.contains("Exception in thread"), err);
        if (outputToCheck != null) {
            assertFalse(Files.exists(outputToCheck), "output left behind at " + outputToCheck);
            Path dir = outputToCheck.getParent();
            if (Files.isDirectory(dir)) {
                String name = outputToCheck.getFileName().toString();
                try (Stream<Path> s = Files.list(dir)) {
                    assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(name)), "partial output next to " + outputToCheck);
                }
            }
        }
        System.out.println("bad input -> " + errorLines.get(0));
        return errorLines.get(0);
    }

    private static String[] restore(String input, String output, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("restore", input, "-o", output, "--no-progress"));
        if (!List.of(more).contains("--model")) {
            a.addAll(List.of("--model", CliTestSupport.models().toString()));
        }
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private static Path png(Path file, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random rnd = new Random(w * 31L + h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rnd.nextInt(0x1000000));
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    @Test
    void folderWithoutImages(@TempDir Path tmp) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Files.writeString(in.resolve("readme.txt"), "no pictures here\n");
        Files.createDirectories(in.resolve("sub"));
        Path out = tmp.resolve("out");
        String e = fails(out, restore(in.toString(), out.toString()));
        assertTrue(e.contains("contains no image") && e.contains(in.toString()), e);
    }

    @Test
    void fileOfRandomBytes(@TempDir Path tmp) throws Exception {
        byte[] noise = new byte[256 * 1024];
        new Random(5).nextBytes(noise);
        for (String name : new String[] {"noise.mp4", "noise.bin"}) {
            Path in = Files.write(tmp.resolve(name), noise);
            Path out = tmp.resolve("out-" + name + ".mp4");
            String e = fails(out, restore(in.toString(), out.toString()));
            assertTrue(e.contains(in.toString()), e);
            assertTrue(e.contains("not a video") || e.contains("cannot be decoded") || e.contains("format"), e);
        }
        // random bytes with an image extension: the image reader's message, naming the file
        Path fake = Files.write(tmp.resolve("noise.png"), noise);
        Path out = tmp.resolve("out.png");
        String e = fails(out, restore(fake.toString(), out.toString()));
        assertTrue(e.contains(fake.toString()), e);
    }

    @Test
    void y4mHeaderClaimingAHugeFrame(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out.mp4");
        Path huge = Files.writeString(tmp.resolve("huge.y4m"), "YUV4MPEG2 W100000 H100000 F25:1 C420jpeg\nFRAME\n");
        String e = fails(out, restore(huge.toString(), out.toString()));
        assertTrue(e.contains("100000x100000") && e.contains("absurd resolution"), e);
        // within the per-side limit, but far more data than the stream holds: no giant allocation, "truncated"
        Path big = Files.writeString(tmp.resolve("big.y4m"), "YUV4MPEG2 W16384 H4096 F25:1 C444\nFRAME\nxyz");
        e = fails(out, restore(big.toString(), out.toString()));
        assertTrue(e.contains("truncated"), e);
    }

    @Test
    void imagesTooSmallForTheModelAreRejectedBeforeAnythingIsWritten(@TempDir Path tmp) throws Exception {
        Path one = png(tmp.resolve("one.png"), 1, 1);
        Path out = tmp.resolve("out.png");
        String e = fails(out, restore(one.toString(), out.toString()));
        assertTrue(e.contains("1x1") && e.contains("at least 8x8"), e);

        // in a folder: a good image sorts first, the tiny one second; nothing may be written
        Path in = tmp.resolve("folder");
        png(in.resolve("a.png"), 32, 24);
        png(in.resolve("b.png"), 7, 40);
        Path outDir = tmp.resolve("out-folder");
        e = fails(outDir, restore(in.toString(), outDir.toString(), "--task", "denoise"));
        assertTrue(e.contains("b.png") && e.contains("7x40"), e);

        // a y4m stream of 4x4 frames
        byte[] frame = new byte[4 * 4 + 2 * 2 * 2];
        Path y4m = tmp.resolve("tiny.y4m");
        Files.write(y4m, concat("YUV4MPEG2 W4 H4 F25:1 C420jpeg\nFRAME\n".getBytes(), frame));
        Path outVideo = tmp.resolve("tiny.mp4");
        e = fails(outVideo, restore(y4m.toString(), outVideo.toString()));
        assertTrue(e.contains("4x4") && e.contains("at least 8x8"), e);
    }

    @Test
    void smallestImageTheModelTakesIsRestored(@TempDir Path tmp) throws Exception {
        Path in = png(tmp.resolve("eight.png"), 8, 8);
        Path out = tmp.resolve("deep/er/eight.png"); // a missing output folder is created
        CliTestSupport.Result r = CliTestSupport.run(restore(in.toString(), out.toString()));
        assertEquals(0, r.exit(), r.stderr());
        BufferedImage b = ImageIO.read(out.toFile());
        assertEquals(8, b.getWidth());
        assertEquals(8, b.getHeight());
    }

    @Test
    void modelFolderWithACorruptedGraph(@TempDir Path tmp) throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        try (Stream<Path> s = Files.list(CliTestSupport.models())) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(".onnx") || n.endsWith(".json") || n.equals("README.md")) {
                    Files.copy(p, models.resolve(n));
                }
            }
        }
        Path graph = models.resolve("daair-s-derain.onnx");
        byte[] g = Files.readAllBytes(graph);
        g[g.length / 2] ^= 0x10;
        Files.write(graph, g);
        Path in = png(tmp.resolve("in.png"), 16, 16);
        Path out = tmp.resolve("out.png");
        String e = fails(out, restore(in.toString(), out.toString(), "--model", models.toString()));
        assertTrue(e.contains("checksum mismatch") && e.contains("daair-s-derain.onnx"), e);

        // the same through the config file's model.dir
        Path cfg = Files.writeString(tmp.resolve("c.yaml"), "model:\n  dir: " + models + "\n");
        List<String> a = List.of("restore", in.toString(), "-o", out.toString(), "--no-progress", "--config", cfg.toString());
        e = fails(out, a.toArray(String[]::new));
        assertTrue(e.contains("checksum mismatch"), e);
    }

    @Test
    void configFileWithAnUnknownKeyOrAWrongType(@TempDir Path tmp) throws Exception {
        Path in = png(tmp.resolve("in.png"), 16, 16);
        Path out = tmp.resolve("out.png");
        Path unknown = Files.writeString(tmp.resolve("unknown.yaml"), "engine:\n  max_bach: 2\n");
        String e = fails(out, restore(in.toString(), out.toString(), "--config", unknown.toString()));
        assertTrue(e.contains("unknown setting 'engine.max_bach'") && e.contains(unknown.toString()), e);
        assertTrue(e.contains("did you mean 'engine.max_batch'"), "suggests the key that was meant: " + e);

        Path wrong = Files.writeString(tmp.resolve("wrong.yaml"), "engine:\n  max_batch: four\n");
        e = fails(out, restore(in.toString(), out.toString(), "--config", wrong.toString()));
        assertTrue(e.contains("engine.max_batch = 'four'") && e.contains("not a whole number") && e.contains(wrong.toString()), e);

        Path section = Files.writeString(tmp.resolve("section.yaml"), "engine:\n  max_batch:\n    value: 2\n");
        e = fails(out, restore(in.toString(), out.toString(), "--config", section.toString()));
        assertTrue(e.contains("'engine.max_batch'") && e.contains("single value"), e);

        Path list = Files.writeString(tmp.resolve("list.yaml"), "engine:\n  tile_size: [1, 2]\n");
        e = fails(out, restore(in.toString(), out.toString(), "--config", list.toString()));
        assertTrue(e.contains("engine.tile_size") && e.contains("not a whole number"), e);

        Path envValue = Files.writeString(tmp.resolve("env.yaml"), "kafka:\n  sasl_password_env: \"s3cr3t pass!\"\n");
        e = fails(out, restore(in.toString(), out.toString(), "--config", envValue.toString()));
        assertTrue(e.contains("kafka.sasl_password_env") && e.contains("NAME of an environment variable") && !e.contains("s3cr3t"), e);

        Path secret = Files.writeString(tmp.resolve("secret.yaml"), "kafka:\n  sasl_password: hunter2\n");
        e = fails(out, restore(in.toString(), out.toString(), "--config", secret.toString()));
        assertTrue(e.contains("kafka.sasl_password") && e.contains("_env") && !e.contains("hunter2"), e);
    }

    @Test
    void gpuRequestedOnAMachineWithoutOne(@TempDir Path tmp) throws Exception {
        // this machine (and CI) has no NVIDIA driver: the first missing piece is named, nothing is written
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/proc/driver/nvidia/version")), "a GPU machine");
        Path in = png(tmp.resolve("in.png"), 32, 32);
        Path out = tmp.resolve("out.png");
        for (String engine : List.of("tensorrt", "cuda")) {
            String line = fails(out, restore(in.toString(), out.toString(), "--device", "gpu", "--engine", engine));
            assertTrue(line.contains("NVIDIA driver") && line.contains("--device cpu"), line);
        }
    }

    @Test
    void urlWithAnUnsupportedScheme(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out.mp4");
        long t0 = System.nanoTime();
        String e = fails(out, restore("gopher://example.invalid/1/video", out.toString()));
        assertTrue(e.contains("gopher") && e.contains("rtsp://"), e);
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "refused without trying the network");
        // and as an output
        Path in = png(tmp.resolve("in.png"), 16, 16);
        e = fails(null, restore(in.toString(), "gopher://example.invalid/out"));
        assertTrue(e.contains("gopher"), e);
    }

    @Test
    void outputWhoseFolderCannotBeCreated(@TempDir Path tmp) throws Exception {
        Path in = png(tmp.resolve("in.png"), 16, 16);
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        Path out = file.resolve("sub/out.png");
        String e = fails(null, restore(in.toString(), out.toString()));
        assertTrue(e.contains("cannot create output folder") && e.contains(file.toString()), e);
        assertEquals("x", Files.readString(file));

        Path video = CliTestSupport.samples().resolve("car-park-rain.mp4");
        e = fails(null, restore(video.toString(), file.resolve("out.mp4").toString()));
        assertTrue(e.contains("cannot create output folder"), e);
    }

    @Test
    void failedRunRemovesTheOutputFoldersItCreated(@TempDir Path tmp) throws Exception {
        // a y4m stream whose second frame is cut short: the sink is open (and its folder made) when it fails
        byte[] frame = new byte[16 * 16 + 2 * 8 * 8];
        java.util.Arrays.fill(frame, (byte) 100);
        byte[] y4m = concat(concat(concat("YUV4MPEG2 W16 H16 F25:1 C420jpeg\nFRAME\n".getBytes(), frame), "FRAME\n".getBytes()),
                java.util.Arrays.copyOf(frame, 50));
        Path truncated = Files.write(tmp.resolve("truncated.y4m"), y4m);
        Path out = tmp.resolve("new/folder/out.mp4");
        String e = fails(out, restore(truncated.toString(), out.toString(), "--task", "denoise"));
        assertTrue(e.contains("truncated"), e);
        assertFalse(Files.exists(tmp.resolve("new")), "created output folders left behind");
        // a folder that existed before the run stays
        Path kept = Files.createDirectories(tmp.resolve("kept"));
        fails(kept.resolve("out.mp4"), restore(truncated.toString(), kept.resolve("out.mp4").toString(), "--task", "denoise"));
        assertTrue(Files.isDirectory(kept));
    }

    @Test
    void outputInAReadOnlyFolder(@TempDir Path tmp) throws Exception {
        // root writes through any permission bits; the case is covered for root by
        // outputWhoseFolderCannotBeCreated (a parent that is a file) and by RestoreCommandTest (/proc)
        assumeFalse("root".equals(System.getProperty("user.name")), "running as root: permission bits do not stop root");
        Path in = png(tmp.resolve("in.png"), 16, 16);
        Path ro = Files.createDirectories(tmp.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Path out = ro.resolve("out.png");
            String e = fails(out, restore(in.toString(), out.toString()));
            assertTrue(e.contains("not writable") && e.contains(ro.toString()), e);
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
