package org.daair.stream.sink;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.ingest.Sources;
import org.daair.stream.ingest.Y4mSource;
import org.daair.stream.ingest.FrameSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Y4mSinkTest {

    @TempDir
    Path dir;

    static StreamInfo info(int num, int den, int range, String codec) {
        return new StreamInfo("s", "test", 0, 0, num, den, den, num, 2, 2, 6, range, 0, -1, false, codec);
    }

    /** Frames whose colour is constant over each 2x2 block, so 4:2:0 loses nothing. */
    static Frame blocky(int w, int h, int seq, long seed) {
        Random rnd = new Random(seed);
        float[] rgb = new float[3 * w * h];
        for (int by = 0; by < h; by += 2) {
            for (int bx = 0; bx < w; bx += 2) {
                float r = 0.1f + 0.8f * rnd.nextFloat();
                float g = 0.1f + 0.8f * rnd.nextFloat();
                float b = 0.1f + 0.8f * rnd.nextFloat();
                for (int y = by; y < Math.min(by + 2, h); y++) {
                    for (int x = bx; x < Math.min(bx + 2, w); x++) {
                        int i = y * w + x;
                        rgb[i] = r;
                        rgb[w * h + i] = g;
                        rgb[2 * w * h + i] = b;
                    }
                }
            }
        }
        return new Frame("s", seq, seq * 40_000L, w, h, rgb, null, null);
    }

    @Test
    void roundTripThroughY4mSource() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Frame[] frames = {blocky(16, 10, 0, 1), blocky(16, 10, 1, 2), blocky(16, 10, 2, 3)};
        try (Y4mSink sink = new Y4mSink(bytes, info(30000, 1001, 1, "h264"))) {
            for (Frame f : frames) {
                sink.write(f);
            }
            sink.write(Frame.endOfStream("s", 3));
            sink.finish();
        }
        byte[] data = bytes.toByteArray();
        String header = new String(data, 0, 80, StandardCharsets.US_ASCII).split("\n")[0];
        assertEquals("YUV4MPEG2 W16 H10 F30000:1001 Ip A1:1 C420jpeg XCOLORRANGE=LIMITED", header);
        try (Y4mSource src = new Y4mSource(new ByteArrayInputStream(data), "back")) {
            assertEquals(30000, src.info().frameRateNum());
            assertEquals(1001, src.info().frameRateDen());
            for (Frame f : frames) {
                Frame g = src.next();
                assertEquals(f.seq(), g.seq());
                assertEquals(f.width(), g.width());
                double maxErr = 0;
                for (int i = 0; i < f.rgb().length; i++) {
                    maxErr = Math.max(maxErr, Math.abs(f.rgb()[i] - g.rgb()[i]));
                }
                assertTrue(maxErr < 0.015, "only 8-bit rounding expected, got " + maxErr);
            }
            assertNull(src.next());
        }
    }

    @Test
    void y4mPassthroughIsLossless() throws Exception {
        // 4:2:0 limited range, in-gamut values: read + write must give the same bytes back.
        int w = 8;
        int h = 6;
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.writeBytes("YUV4MPEG2 W8 H6 F25:1 Ip A1:1 C420jpeg\n".getBytes(StandardCharsets.US_ASCII));
        Random rnd = new Random(7);
        for (int f = 0; f < 2; f++) {
            in.writeBytes("FRAME\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < w * h; i++) {
                in.write(90 + rnd.nextInt(80));
            }
            for (int i = 0; i < 2 * (w / 2) * (h / 2); i++) {
                in.write(118 + rnd.nextInt(20));
            }
        }
        byte[] original = in.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Y4mSource src = new Y4mSource(new ByteArrayInputStream(original), "p");
             Y4mSink sink = new Y4mSink(out, src.info())) {
            Frame f;
            while ((f = src.next()) != null) {
                sink.write(f);
            }
            sink.finish();
        }
        byte[] back = out.toByteArray();
        String header = new String(back, 0, 60, StandardCharsets.US_ASCII).split("\n")[0];
        assertTrue(header.startsWith("YUV4MPEG2 W8 H6 F25:1 Ip"), header);
        int headerLen = header.length() + 1;
        int originalHeaderLen = "YUV4MPEG2 W8 H6 F25:1 Ip A1:1 C420jpeg\n".length();
        assertEquals(original.length - originalHeaderLen, back.length - headerLen);
        int maxDiff = 0;
        for (int i = 0; i < original.length - originalHeaderLen; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((original[originalHeaderLen + i] & 0xFF) - (back[headerLen + i] & 0xFF)));
        }
        assertTrue(maxDiff <= 1, "max byte difference " + maxDiff);
    }

    @Test
    void keepsSimpleChromaAndFullRange() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Y4mSink sink = new Y4mSink(out, info(25, 1, 2, "y4m:444"))) {
            assertEquals("444", sink.chroma());
            sink.write(blocky(4, 4, 0, 5));
            sink.finish();
        }
        String header = new String(out.toByteArray(), 0, 70, StandardCharsets.US_ASCII).split("\n")[0];
        assertTrue(header.contains(" C444 ") && header.endsWith("XCOLORRANGE=FULL"), header);
        assertEquals(header.length() + 1 + 6 + 3 * 16, out.size());
    }

    @Test
    void sizeChangeIsRejected() throws Exception {
        try (Y4mSink sink = new Y4mSink(new ByteArrayOutputStream(), info(25, 1, 1, "h264"))) {
            sink.write(blocky(4, 4, 0, 1));
            assertThrows(java.io.IOException.class, () -> sink.write(blocky(6, 4, 1, 1)));
        }
    }

    @Test
    void y4mFileViaSinksAndSources() throws Exception {
        Path file = dir.resolve("clip.y4m");
        try (FrameSink sink = Sinks.open(file.toString(), info(25, 1, 1, "h264"), null)) {
            sink.write(blocky(6, 4, 0, 9));
            assertFalse(Files.exists(file), "committed only on finish");
            sink.finish();
        }
        try (FrameSource src = Sources.open(file.toString(), "y")) {
            assertInstanceOf(Y4mSource.class, src);
            assertNotNull(src.next());
            assertNull(src.next());
        }
    }
}
