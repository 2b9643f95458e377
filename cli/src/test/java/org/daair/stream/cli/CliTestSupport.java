package org.daair.stream.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the command line in-process and captures stderr. */
final class CliTestSupport {
    private CliTestSupport() {
    }

    record Result(int exit, String stderr) {
    }

    static Path root() {
        String r = System.getProperty("daair.repo.root");
        Path p = r != null ? Path.of(r) : Path.of("..").toAbsolutePath().normalize();
        return Files.isDirectory(p.resolve("models")) ? p : Path.of("..").toAbsolutePath().normalize();
    }

    static Path models() {
        return root().resolve("models");
    }

    static Path samples() {
        return root().resolve("samples");
    }

    static synchronized Result run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.execute(args);
            return new Result(exit, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    /** Writes FRAMES as 8-bit PNGs named f000.png, f001.png, ... in DIR (created): a folder input. */
    static Path pngFolder(java.util.List<org.daair.stream.common.Frame> frames, Path dir) throws java.io.IOException {
        Files.createDirectories(dir);
        for (org.daair.stream.common.Frame f : frames) {
            java.awt.image.BufferedImage img = org.daair.stream.sink.ImageSink.toImage(f);
            javax.imageio.ImageIO.write(img, "png", dir.resolve(String.format("f%03d.png", f.seq())).toFile());
        }
        return dir;
    }
}
