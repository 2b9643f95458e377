package org.daair.stream.ingest;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.daair.stream.common.Frame;
import org.junit.jupiter.api.Test;

class Y4mSourceTest {

    /** A Y4M stream: header line, then frames of constant Y/U/V. */
    static byte[] y4m(String header, int w, int h, int cw, int ch, int frames, int yv, int uv, int vv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((header + "\n").getBytes(StandardCharsets.US_ASCII));
        for (int f = 0; f < frames; f++) {
            out.writeBytes("FRAME\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < w * h; i++) {
                out.write(yv);
            }
            for (int i = 0; i < cw * ch; i++) {
                out.write(uv);
            }
            for (int i = 0; i < cw * ch; i++) {
                out.write(vv);
            }
        }
        return out.toByteArray();
    }

    @Test
    void parsesHeaderFields() throws Exception {
        byte[] data = y4m("YUV4MPEG2 W6 H4 F30000:1001 It A16:11 C420mpeg2 XYSCSS=420MPEG2 XCOLORRANGE=FULL", 6, 4, 3, 2, 2, 128, 128, 128);
        try (Y4mSource src = new Y4mSource(new ByteArrayInputStream(data), "y")) {
            assertEquals(6, src.info().width());
            assertEquals(4, src.info().height());
            assertEquals(30000, src.info().frameRateNum());
            assertEquals(1001, src.info().frameRateDen());
            assertEquals('t', src.interlace());
            assertArrayEquals(new int[] {16, 11}, src.pixelAspect());
            assertEquals("420mpeg2", src.chroma());
            assertTrue(src.fullRange());
            assertEquals(2, src.info().colorRange(), "AVCOL_RANGE_JPEG");
            assertEquals(-1, src.info().frameCount());
            Frame f0 = src.next();
            Frame f1 = src.next();
            assertNull(src.next());
            assertEquals(0, f0.ptsMicros());
            assertEquals(33367, f1.ptsMicros()); // 1001/30000 s
            // full range Y=128, neutral chroma: grey 128/255
            assertEquals(128 / 255f, f0.rgb()[0], 1e-4);
            assertEquals(128 / 255f, f0.rgb()[6 * 4 + 5], 1e-4);
        }
    }

    @Test
    void defaultsAndLimitedRange() throws Exception {
        // no C (420jpeg by default), no XCOLORRANGE (limited), progressive, unknown aspect
        byte[] data = y4m("YUV4MPEG2 W4 H2 F25:1 Ip A0:0", 4, 2, 2, 1, 1, 235, 128, 128);
        try (Y4mSource src = new Y4mSource(new ByteArrayInputStream(data), "y")) {
            assertEquals('p', src.interlace());
            assertArrayEquals(new int[] {0, 0}, src.pixelAspect());
            assertEquals("420jpeg", src.chroma());
            assertFalse(src.fullRange());
            assertEquals(0, src.info().colorRange());
            Frame f = src.next();
            assertEquals(1f, f.rgb()[0], 1e-4, "Y=235 is white in limited range");
        }
    }

    @Test
    void colourConversionBt601() throws Exception {
        // limited-range pure red in BT.601: Y=81, Cb=90, Cr=240
        byte[] data = y4m("YUV4MPEG2 W2 H2 F25:1 C444", 2, 2, 2, 2, 1, 81, 90, 240);
        try (Y4mSource src = new Y4mSource(new ByteArrayInputStream(data), "y")) {
            Frame f = src.next();
            assertEquals(1f, f.rgb()[0], 0.01);
            assertEquals(0f, f.rgb()[4], 0.01);
            assertEquals(0f, f.rgb()[8], 0.01);
        }
    }

    @Test
    void monoIsGrey() throws Exception {
        byte[] data = y4m("YUV4MPEG2 W3 H3 F25:1 Cmono", 3, 3, 0, 0, 1, 126, 0, 0);
        try (Y4mSource src = new Y4mSource(new ByteArrayInputStream(data), "y")) {
            Frame f = src.next();
            assertEquals(0.5f, f.rgb()[0], 0.01);
            assertEquals(f.rgb()[0], f.rgb()[9]);
            assertEquals(f.rgb()[0], f.rgb()[18]);
        }
    }

    @Test
    void unsupportedColourSpace() {
        byte[] data = y4m("YUV4MPEG2 W4 H4 F25:1 C420p10", 4, 4, 2, 2, 1, 0, 0, 0);
        SourceException e = assertThrows(SourceException.class, () -> new Y4mSource(new ByteArrayInputStream(data), "y"));
        assertTrue(e.getMessage().contains("C420p10") && e.getMessage().contains("not supported"), e.getMessage());
    }

    @Test
    void absurdResolution() {
        for (String size : new String[] {"W0 H10", "W-5 H10", "W20000 H10", "W16384 H16384", "W10 H99999999"}) {
            byte[] data = ("YUV4MPEG2 " + size + " F25:1\n").getBytes(StandardCharsets.US_ASCII);
            SourceException e = assertThrows(SourceException.class, () -> new Y4mSource(new ByteArrayInputStream(data), "y"), size);
            assertTrue(e.getMessage().contains("absurd resolution"), e.getMessage());
        }
    }

    @Test
    void notY4m() {
        byte[] data = "\u0000\u0000\u0000\u0018ftypmp42 and more\n".getBytes(StandardCharsets.ISO_8859_1);
        SourceException e = assertThrows(SourceException.class, () -> new Y4mSource(new ByteArrayInputStream(data), "y"));
        assertTrue(e.getMessage().contains("not a YUV4MPEG2 stream"), e.getMessage());
        SourceException empty = assertThrows(SourceException.class, () -> new Y4mSource(new ByteArrayInputStream(new byte[0]), "y"));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
    }

    @Test
    void truncatedFrame() throws Exception {
        byte[] full = y4m("YUV4MPEG2 W8 H8 F25:1 C420jpeg", 8, 8, 4, 4, 2, 100, 128, 128);
        byte[] cut = java.util.Arrays.copyOf(full, full.length - 10);
        try (Y4mSource src = new Y4mSource(new ByteArrayInputStream(cut), "y")) {
            assertNotNull(src.next());
            SourceException e = assertThrows(SourceException.class, src::next);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }
}
