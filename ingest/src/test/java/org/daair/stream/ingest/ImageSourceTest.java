package org.daair.stream.ingest;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.daair.stream.common.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSourceTest {

    @TempDir
    Path dir;

    private static void image(Path p, String fmt, int w, int h, int rgb) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        Files.createDirectories(p.getParent());
        assertTrue(ImageIO.write(img, fmt, p.toFile()));
    }

    @Test
    void folderInNameOrderWithRelativeNames() throws Exception {
        image(dir.resolve("b.png"), "png", 8, 6, 0xFF0000);
        image(dir.resolve("a.jpg"), "jpeg", 16, 16, 0x00FF00);
        image(dir.resolve("sub/c.bmp"), "bmp", 4, 4, 0x0000FF);
        Files.writeString(dir.resolve("readme.txt"), "not an image");
        image(dir.resolve(".hidden.png"), "png", 2, 2, 0);
        try (FrameSource src = Sources.open(dir.toString(), "img")) {
            assertInstanceOf(ImageSource.class, src);
            assertEquals(3, src.info().frameCount());
            assertEquals(0, src.info().frameRateNum(), "images have no frame rate");
            Frame a = src.next();
            Frame b = src.next();
            Frame c = src.next();
            assertNull(src.next());
            assertEquals("a.jpg", a.name());
            assertEquals("b.png", b.name());
            assertEquals("sub/c.bmp", c.name());
            assertEquals(0, a.seq());
            assertEquals(2, c.seq());
            assertEquals(8, b.width());
            assertEquals(6, b.height());
            assertEquals(1f, b.rgb()[0], 1e-6);
            assertEquals(0f, b.rgb()[48], 1e-6);
            assertEquals(1f, c.rgb()[2 * 16], 1e-6);
        }
    }

    @Test
    void singleImageFile() throws Exception {
        Path p = dir.resolve("one.png");
        image(p, "png", 5, 3, 0x808080);
        try (FrameSource src = Sources.open(p.toString(), "img")) {
            Frame f = src.next();
            assertEquals("one.png", f.name());
            assertEquals(128 / 255f, f.rgb()[0], 1e-6);
            assertNull(src.next());
        }
    }

    @Test
    void emptyFolderAndBrokenImage() throws Exception {
        SourceException e = assertThrows(SourceException.class, () -> Sources.open(dir.toString(), "img"));
        assertTrue(e.getMessage().contains("contains no image"), e.getMessage());
        Path broken = Files.writeString(dir.resolve("broken.png"), "garbage");
        // every header is read when the folder is opened: the broken file is reported before any frame
        SourceException e2 = assertThrows(SourceException.class, () -> Sources.open(dir.toString(), "img"));
        assertTrue(e2.getMessage().contains("broken.png"), e2.getMessage());
        assertTrue(Files.exists(broken));
    }
}
