package org.daair.stream.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    private static final FrameMeta META = new FrameMeta(1, 90_000, 1, 1, 1, 1, "trace-42");

    private static ReceivedFrame roundTrip(PayloadEncoding enc, Frame f) {
        FrameCodec codec = FrameCodec.of(enc);
        return codec.decode(codec.encode("t", f, META));
    }

    @Test
    void rawF32IsBitExactIncludingOutOfRangeValues() {
        Frame f = TestFrames.random("cam", 3, 33, 17);
        f.rgb()[0] = -0.25f;
        f.rgb()[1] = 1.75f;
        f.rgb()[2] = Float.MIN_VALUE;
        ReceivedFrame r = roundTrip(PayloadEncoding.RAW_F32, f);
        assertArrayEquals(f.rgb(), r.frame().rgb()); // Float.equals semantics: bit for bit
        assertEquals(f.withPixels(null).toString(), r.frame().withPixels(null).toString());
        assertEquals(f.streamId(), r.frame().streamId());
        assertEquals(f.seq(), r.frame().seq());
        assertEquals(f.ptsMicros(), r.frame().ptsMicros());
        assertEquals(f.route(), r.frame().route());
        assertNull(r.frame().name());
        assertEquals(META, r.meta());
        assertEquals(PayloadEncoding.RAW_F32, r.encoding());
    }

    @Test
    void rawF16StaysWithinAQuarterOfAnEightBitStep() {
        Frame f = TestFrames.random("cam", 0, 64, 48);
        FrameCodec codec = FrameCodec.of(PayloadEncoding.RAW_F16);
        ProducerRecord<byte[], byte[]> rec = codec.encode("t", f, META);
        assertEquals(6 * 64 * 48, rec.value().length);
        float err = TestFrames.maxAbsDiff(f.rgb(), codec.decode(rec).frame().rgb());
        assertTrue(err <= 2.5e-4f, "error " + err);
    }

    @Test
    void rawU8IsExactForEightBitValuesAndRoundsOthers() {
        Frame f8 = TestFrames.eightBit("cam", 5, 40, 30);
        ReceivedFrame r8 = roundTrip(PayloadEncoding.RAW_U8, f8);
        assertArrayEquals(f8.rgb(), r8.frame().rgb());
        Frame f = TestFrames.random("cam", 1, 40, 30);
        f.rgb()[0] = -1f;
        f.rgb()[1] = 2f;
        f.rgb()[2] = Float.NaN;
        float[] back = roundTrip(PayloadEncoding.RAW_U8, f).frame().rgb();
        assertEquals(0f, back[0]);
        assertEquals(1f, back[1]);
        assertEquals(0f, back[2]);
        for (int i = 3; i < back.length; i++) {
            assertTrue(Math.abs(back[i] - f.rgb()[i]) <= 0.5f / 255 + 1e-6f, "sample " + i);
        }
        assertEquals(3 * 40 * 30, FrameCodec.of(PayloadEncoding.RAW_U8).encode("t", f, null).value().length);
    }

    @Test
    void pngIsExactAtEightBits() {
        Frame f = TestFrames.eightBit("cam", 2, 61, 23); // odd sizes: no row-padding assumptions
        ReceivedFrame r = roundTrip(PayloadEncoding.PNG, f);
        assertArrayEquals(f.rgb(), r.frame().rgb());
        assertEquals(PayloadEncoding.PNG, r.encoding());
        // arbitrary floats come back as raw-u8 would bring them
        Frame g = TestFrames.random("cam", 4, 20, 10);
        assertArrayEquals(roundTrip(PayloadEncoding.RAW_U8, g).frame().rgb(), roundTrip(PayloadEncoding.PNG, g).frame().rgb());
    }

    @Test
    void jpegIsCloseAndQualityChangesTheSize() {
        Frame f = TestFrames.smooth("cam", 0, 96, 64);
        FrameCodec hi = FrameCodec.of(PayloadEncoding.JPEG).withJpegQuality(0.95f);
        FrameCodec lo = hi.withJpegQuality(0.3f);
        ProducerRecord<byte[], byte[]> a = hi.encode("t", f, META);
        ProducerRecord<byte[], byte[]> b = lo.encode("t", f, META);
        assertTrue(b.value().length < a.value().length, a.value().length + " vs " + b.value().length);
        float[] back = hi.decode(a).frame().rgb();
        double mean = TestFrames.meanAbsDiff(f.rgb(), back);
        assertTrue(mean < 0.01, "mean error " + mean);
        assertTrue(TestFrames.maxAbsDiff(f.rgb(), back) < 0.1f);
        assertEquals("shot.png", hi.decode(a).frame().name());
        assertThrows(IllegalArgumentException.class, () -> hi.withJpegQuality(0f));
    }

    @Test
    void anyCodecDecodesAnyEncoding() {
        Frame f = TestFrames.eightBit("cam", 0, 16, 8);
        FrameCodec reader = FrameCodec.of(PayloadEncoding.JPEG);
        for (PayloadEncoding e : PayloadEncoding.values()) {
            ReceivedFrame r = reader.decode(FrameCodec.of(e).encode("t", f, null));
            assertEquals(e, r.encoding());
            assertEquals(16, r.frame().width());
        }
    }

    @Test
    void headersCarryEverything() {
        StreamInfo info = new StreamInfo("cam-7", "rtsp://x", 32, 16, 25, 1, 1, 90_000, 9, 16, 9, 1, 0, -1, false, "h264");
        Frame f = new Frame("cam-7", 12, 480_000, 32, 16, new float[3 * 32 * 16], "denoise", "a.png");
        ProducerRecord<byte[], byte[]> rec = FrameCodec.of(PayloadEncoding.RAW_U8)
                .encode("daair.frames", f, FrameMeta.of(info, "abc"));
        assertEquals("daair.frames", rec.topic());
        assertArrayEquals("cam-7".getBytes(StandardCharsets.UTF_8), rec.key());
        Map<String, String> h = headers(rec.headers());
        Map<String, String> expected = new HashMap<>();
        expected.put("daair.v", "1");
        expected.put("daair.seq", "12");
        expected.put("daair.pts", "480000");
        expected.put("daair.tb", "1/90000");
        expected.put("daair.w", "32");
        expected.put("daair.h", "16");
        expected.put("daair.pix", "rgb8-planar");
        expected.put("daair.enc", "raw-u8");
        expected.put("daair.color.primaries", "9");
        expected.put("daair.color.transfer", "16");
        expected.put("daair.color.space", "9");
        expected.put("daair.color.range", "1");
        expected.put("daair.route", "denoise");
        expected.put("daair.trace", "abc");
        expected.put("daair.name", "a.png");
        expected.put("daair.eos", "0");
        assertEquals(expected, h);

        Frame bare = new Frame("x", 0, 0, 2, 2, new float[12], null, null);
        Map<String, String> hb = headers(FrameCodec.defaults().encode("t", bare, null).headers());
        assertEquals("rgbf32-planar", hb.get("daair.pix"));
        assertEquals("raw-f32", hb.get("daair.enc"));
        assertEquals("1/1000000", hb.get("daair.tb"));
        assertEquals("2", hb.get("daair.color.primaries"));
        assertEquals("0", hb.get("daair.color.range"));
        assertTrue(!hb.containsKey("daair.route") && !hb.containsKey("daair.trace") && !hb.containsKey("daair.name"));
    }

    @Test
    void endOfStreamHasAnEmptyValueAndTheFrameCount() {
        ProducerRecord<byte[], byte[]> rec = FrameCodec.defaults().encode("t", Frame.endOfStream("cam", 250), META);
        assertEquals(0, rec.value().length);
        Map<String, String> h = headers(rec.headers());
        assertEquals("1", h.get("daair.eos"));
        assertEquals("250", h.get("daair.seq"));
        assertTrue(!h.containsKey("daair.enc") && !h.containsKey("daair.w"));
        ReceivedFrame r = FrameCodec.defaults().decode(rec);
        assertTrue(r.frame().isEndOfStream());
        assertEquals(250, r.frame().seq());
        assertEquals("cam", r.frame().streamId());
        assertNull(r.encoding());
        assertEquals("trace-42", r.meta().traceId());
    }

    @Test
    void tooLargeFramesAreRefusedBeforeEncoding() {
        Frame uhd = new Frame("cam", 0, 0, 3840, 2160, new float[3 * 3840 * 2160], null, null);
        FrameTooLargeException e = assertThrows(FrameTooLargeException.class,
                () -> FrameCodec.of(PayloadEncoding.RAW_F32).encode("t", uhd, null));
        assertEquals(99_532_800L, e.recordBytes());
        assertTrue(e.getMessage().contains("raw-f16"), e.getMessage());
        // the documented alternatives fit
        assertEquals(49_766_400, FrameCodec.of(PayloadEncoding.RAW_F16).encode("t", uhd, null).value().length);
        assertEquals(24_883_200, FrameCodec.of(PayloadEncoding.RAW_U8).encode("t", uhd, null).value().length);
        // and a smaller limit is honoured for compressed payloads too
        Frame noisy = TestFrames.random("cam", 0, 1024, 1024);
        assertThrows(FrameTooLargeException.class, () -> FrameCodec.of(PayloadEncoding.PNG)
                .withLimits(new KafkaLimits(KafkaLimits.MIB)).encode("t", noisy, null));
    }

    @Test
    void encodingNamesParse() {
        assertEquals(PayloadEncoding.RAW_F32, PayloadEncoding.parse("raw-f32"));
        assertEquals(PayloadEncoding.RAW_U8, PayloadEncoding.parse(" RAW_U8 "));
        assertEquals(PayloadEncoding.JPEG, PayloadEncoding.parse("jpeg"));
        assertEquals(PayloadEncoding.RAW_F32, PayloadEncoding.DEFAULT);
        assertThrows(IllegalArgumentException.class, () -> PayloadEncoding.parse("webp"));
    }

    // ------------------------------------------------------------------ malformed records

    private static ProducerRecord<byte[], byte[]> good(PayloadEncoding e) {
        return FrameCodec.of(e).encode("t", TestFrames.eightBit("cam", 1, 8, 4), META);
    }

    /** GOOD with its headers edited by EDIT. */
    private static ProducerRecord<byte[], byte[]> edited(ProducerRecord<byte[], byte[]> good, byte[] key, byte[] value,
                                                         Consumer<Headers> edit) {
        RecordHeaders h = new RecordHeaders(good.headers().toArray());
        edit.accept(h);
        return new ProducerRecord<>("t", null, key, value, h);
    }

    private static ProducerRecord<byte[], byte[]> withHeader(PayloadEncoding e, String name, String value) {
        ProducerRecord<byte[], byte[]> g = good(e);
        return edited(g, g.key(), g.value(), h -> {
            h.remove(name);
            if (value != null) {
                h.add(name, value.getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    private static FrameFormatException rejected(ProducerRecord<byte[], byte[]> rec) {
        return assertThrows(FrameFormatException.class, () -> FrameCodec.defaults().decode(rec));
    }

    @Test
    void malformedRecordsAreRejectedWithAFrameFormatException() {
        ProducerRecord<byte[], byte[]> g = good(PayloadEncoding.RAW_F32);
        assertTrue(rejected(new ProducerRecord<>("t", g.key(), g.value())).getMessage().contains("daair.v"));
        assertTrue(rejected(withHeader(PayloadEncoding.RAW_F32, "daair.v", "2")).getMessage().contains("version 2"));
        assertTrue(rejected(withHeader(PayloadEncoding.RAW_F32, "daair.seq", null)).getMessage().contains("daair.seq"));
        rejected(withHeader(PayloadEncoding.RAW_F32, "daair.seq", "-3"));
        rejected(withHeader(PayloadEncoding.RAW_F32, "daair.w", "eight"));
        rejected(withHeader(PayloadEncoding.RAW_F32, "daair.w", "0"));
        rejected(withHeader(PayloadEncoding.RAW_F32, "daair.w", "100000")); // refused before any allocation
        rejected(withHeader(PayloadEncoding.RAW_F32, "daair.tb", "90000"));
        rejected(withHeader(PayloadEncoding.RAW_F32, "daair.color.space", "x"));
        rejected(withHeader(PayloadEncoding.RAW_F32, "daair.eos", "yes"));
        assertTrue(rejected(withHeader(PayloadEncoding.RAW_F32, "daair.enc", "webp")).getMessage().contains("webp"));
        rejected(withHeader(PayloadEncoding.RAW_F32, "daair.pix", "rgb24"));
        rejected(withHeader(PayloadEncoding.RAW_F32, "daair.eos", "1")); // a marker must not carry pixels
        rejected(edited(g, null, g.value(), h -> { }));
        rejected(edited(g, g.key(), Arrays.copyOf(g.value(), g.value().length - 4), h -> { }));
        rejected(edited(g, g.key(), null, h -> { }));
        ProducerRecord<byte[], byte[]> png = good(PayloadEncoding.PNG);
        byte[] corrupt = png.value().clone();
        Arrays.fill(corrupt, 8, corrupt.length, (byte) 0x5a);
        rejected(edited(png, png.key(), corrupt, h -> { }));
        rejected(edited(png, png.key(), "not an image".getBytes(StandardCharsets.UTF_8), h -> { }));
        assertTrue(rejected(withHeaderOn(png, "daair.w", "9")).getMessage().contains("8x4"));
        ProducerRecord<byte[], byte[]> jpeg = good(PayloadEncoding.JPEG);
        rejected(edited(jpeg, jpeg.key(), Arrays.copyOf(jpeg.value(), 20), h -> { }));
    }

    private static ProducerRecord<byte[], byte[]> withHeaderOn(ProducerRecord<byte[], byte[]> g, String name, String v) {
        return edited(g, g.key(), g.value(), h -> {
            h.remove(name);
            h.add(name, v.getBytes(StandardCharsets.UTF_8));
        });
    }

    @Test
    void errorsNameTheRecordPosition() {
        ProducerRecord<byte[], byte[]> g = withHeader(PayloadEncoding.RAW_F32, "daair.v", "9");
        ConsumerRecord<byte[], byte[]> c = new ConsumerRecord<>("daair.frames", 2, 1234L, 0L, TimestampType.CREATE_TIME,
                g.key().length, g.value().length, g.key(), g.value(), g.headers(), java.util.Optional.empty());
        FrameFormatException e = assertThrows(FrameFormatException.class, () -> FrameCodec.defaults().decode(c));
        assertEquals("daair.frames", e.topic());
        assertEquals(2, e.partition());
        assertEquals(1234L, e.offset());
        assertTrue(e.getMessage().endsWith("(daair.frames-2@1234)"), e.getMessage());
        assertTrue(e.reason().startsWith("unsupported frame format version 9"), e.reason());
    }

    private static Map<String, String> headers(Headers headers) {
        Map<String, String> m = new HashMap<>();
        for (Header h : headers) {
            if (m.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)) != null) {
                throw new AssertionError("duplicate header " + h.key());
            }
        }
        return m;
    }
}
