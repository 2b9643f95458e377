package org.daair.stream.sink;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.ingest.FrameSource;
import org.daair.stream.ingest.Sources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSinkTest {

    @TempDir
    Path dir;

    private static void image(Path p, String fmt, int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | ((x + y) * 7 & 0xFF));
            }
        }
        Files.createDirectories(p.getParent());
        assertTrue(ImageIO.write(img, fmt, p.toFile()));
    }

    private static List<String> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    @Test
    void folderRoundTripKeepsNamesAndFormats() throws Exception {
        Path in = dir.resolve("in");
        image(in.resolve("frame_001.png"), "png", 20, 12);
        image(in.resolve("frame_002.png"), "png", 20, 12);
        image(in.resolve("nested/photo.jpg"), "jpeg", 32, 16);
        Path out = dir.resolve("out");
        try (FrameSource src = Sources.open(in.toString(), "img");
             FrameSink sink = Sinks.open(out.toString(), src.info(), SinkOptions.defaults())) {
            assertInstanceOf(ImageSink.class, sink, "images in, no extension out: a folder");
            Frame f;
            while ((f = src.next()) != null) {
                sink.write(f);
            }
            sink.finish();
        }
        assertEquals(List.of("frame_001.png", "frame_002.png", "nested/photo.jpg"), files(out));
        BufferedImage a = ImageIO.read(in.resolve("frame_002.png").toFile());
        BufferedImage b = ImageIO.read(out.resolve("frame_002.png").toFile());
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                assertEquals(a.getRGB(x, y), b.getRGB(x, y), "PNG is lossless at " + x + "," + y);
            }
        }
        byte[] head = Files.readAllBytes(out.resolve("nested/photo.jpg"));
        assertEquals((byte) 0xFF, head[0], "JPEG stays JPEG");
        assertEquals((byte) 0xD8, head[1]);
    }

    @Test
    void videoFramesGetNumberedNamesAndPatternsWork() throws Exception {
        StreamInfo info = StreamInfo.images("v", "x", 2);
        Path out = Files.createDirectory(dir.resolve("frames"));
        float[] px = new float[3 * 4 * 2];
        try (FrameSink sink = Sinks.open(out.toString(), info, null)) {
            sink.write(new Frame("v", 0, 0, 4, 2, px, null, null));
            sink.write(new Frame("v", 1, 40_000, 4, 2, px, null, null));
            sink.finish();
        }
        assertEquals(List.of("000000.png", "000001.png"), files(out));

        Path pattern = dir.resolve("pat/shot_%03d.jpg");
        try (FrameSink sink = Sinks.open(pattern.toString(), info, null)) {
            sink.write(new Frame("v", 7, 0, 4, 2, px, null, null));
            sink.finish();
        }
        assertEquals(List.of("shot_007.jpg"), files(dir.resolve("pat")));

        Path single = dir.resolve("one.png");
        try (FrameSink sink = Sinks.open(single.toString(), info, null)) {
            sink.write(new Frame("v", 0, 0, 4, 2, px, null, null));
            assertThrows(IOException.class, () -> sink.write(new Frame("v", 1, 0, 4, 2, px, null, null)));
        }
        assertTrue(Files.exists(single));
    }

    @Test
    void namesCannotEscapeTheFolder() throws Exception {
        Path out = Files.createDirectory(dir.resolve("safe"));
        try (ImageSink sink = new ImageSink(out)) {
            IOException e = assertThrows(IOException.class,
                    () -> sink.write(new Frame("v", 0, 0, 1, 1, new float[3], null, "../evil.png")));
            assertTrue(e.getMessage().contains("outside"), e.getMessage());
            // names arrive from Kafka records too (daair.name header): absolute paths and deeper escapes
            Path abs = dir.resolve("abs-evil.png").toAbsolutePath();
            for (String name : new String[] {abs.toString(), "sub/../../evil.png", "a/b/../../../evil.png"}) {
                IOException e2 = assertThrows(IOException.class,
                        () -> sink.write(new Frame("v", 0, 0, 1, 1, new float[3], null, name)), name);
                assertTrue(e2.getMessage().contains("outside"), e2.getMessage());
            }
            assertFalse(Files.exists(abs));
            // a name that only looks odd but stays inside is fine
            sink.write(new Frame("v", 1, 0, 1, 1, new float[3], null, "sub/../inside.png"));
            assertTrue(Files.exists(out.resolve("inside.png")));
        }
        assertFalse(Files.exists(dir.resolve("evil.png")));
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            assertTrue(all.filter(Files::isRegularFile).allMatch(p -> p.startsWith(out)), "nothing written outside " + out);
        }
    }
}
