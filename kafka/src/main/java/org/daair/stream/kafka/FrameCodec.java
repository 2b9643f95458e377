package org.daair.stream.kafka;

import static org.daair.stream.kafka.FrameHeaders.*;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Objects;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.daair.stream.common.Frame;

/**
 * {@link Frame} to Kafka record and back, format version 1 (docs/frame-format.md).
 *
 * <p>Key: the stream id in UTF-8, so the default partitioner puts every record of a stream,
 * end-of-stream marker included, into one partition, which keeps the stream in order. Value: the
 * pixels in the configured {@link PayloadEncoding} (empty for an end-of-stream marker). Headers:
 * everything else, see {@link FrameHeaders}.
 *
 * <p>Encoding is configured per codec; decoding reads the encoding from the record, so one codec
 * decodes every encoding. Instances are immutable and thread-safe.
 */
public final class FrameCodec {

    /** Largest side accepted when decoding: rejects absurd headers before anything is allocated. */
    public static final int MAX_SIDE = 16384;
    /** Largest picture accepted when decoding (8K UHD): a PNG or JPEG cannot claim more. */
    public static final long MAX_PIXELS = 7680L * 4320;

    private static final float[] FROM_U8 = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            FROM_U8[i] = i / 255f; // the same values ingest produces from 8-bit samples
        }
    }

    private final PayloadEncoding encoding;
    private final float jpegQuality;
    private final KafkaLimits limits;

    private FrameCodec(PayloadEncoding encoding, float jpegQuality, KafkaLimits limits) {
        this.encoding = Objects.requireNonNull(encoding, "encoding");
        if (!(jpegQuality > 0f && jpegQuality <= 1f)) {
            throw new IllegalArgumentException("jpeg quality must be in (0, 1], was " + jpegQuality);
        }
        this.jpegQuality = jpegQuality;
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** A codec writing {@link PayloadEncoding#DEFAULT} (raw-f32) with the default limits. */
    public static FrameCodec defaults() {
        return of(PayloadEncoding.DEFAULT);
    }

    /** A codec writing ENCODING, JPEG quality 0.9, default limits. */
    public static FrameCodec of(PayloadEncoding encoding) {
        return new FrameCodec(encoding, 0.9f, KafkaLimits.DEFAULT);
    }

    /** JPEG quality in (0, 1] (ImageIO's scale; 0.9 by default). Ignored by other encodings. */
    public FrameCodec withJpegQuality(float quality) {
        return new FrameCodec(encoding, quality, limits);
    }

    public FrameCodec withLimits(KafkaLimits newLimits) {
        return new FrameCodec(encoding, jpegQuality, newLimits);
    }

    public FrameCodec withEncoding(PayloadEncoding newEncoding) {
        return new FrameCodec(newEncoding, jpegQuality, limits);
    }

    public PayloadEncoding encoding() {
        return encoding;
    }

    public float jpegQuality() {
        return jpegQuality;
    }

    public KafkaLimits limits() {
        return limits;
    }

    // ------------------------------------------------------------------ encoding

    /**
     * The record for FRAME on TOPIC.
     *
     * @param meta time base, colour tags and trace id; null means {@link FrameMeta#UNSPECIFIED}
     * @throws FrameTooLargeException if the record would exceed {@link KafkaLimits#maxFrameBytes()}
     */
    public ProducerRecord<byte[], byte[]> encode(String topic, Frame frame, FrameMeta meta) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(frame, "frame");
        FrameMeta m = meta == null ? FrameMeta.UNSPECIFIED : meta;
        byte[] key = utf8(frame.streamId());
        RecordHeaders headers = new RecordHeaders();
        put(headers, VERSION, Integer.toString(FORMAT_VERSION));
        put(headers, SEQ, Long.toString(frame.seq()));
        put(headers, PTS, Long.toString(frame.ptsMicros()));
        put(headers, TIME_BASE, m.timeBaseNum() + "/" + m.timeBaseDen());
        put(headers, EOS, frame.isEndOfStream() ? "1" : "0");
        byte[] value;
        if (frame.isEndOfStream()) {
            value = new byte[0]; // not null: a null value is a tombstone for compaction and tooling
        } else {
            long raw = encoding.payloadBytes(frame.width(), frame.height());
            if (raw > limits.maxFrameBytes()) {
                throw tooLarge(frame, raw); // before allocating 100 MB for nothing
            }
            put(headers, WIDTH, Integer.toString(frame.width()));
            put(headers, HEIGHT, Integer.toString(frame.height()));
            put(headers, PIXEL_FORMAT, encoding.pixelFormat());
            put(headers, ENCODING, encoding.id());
            value = encodePayload(frame);
        }
        put(headers, COLOR_PRIMARIES, Integer.toString(m.colorPrimaries()));
        put(headers, COLOR_TRANSFER, Integer.toString(m.colorTransfer()));
        put(headers, COLOR_SPACE, Integer.toString(m.colorSpace()));
        put(headers, COLOR_RANGE, Integer.toString(m.colorRange()));
        if (frame.route() != null) {
            put(headers, ROUTE, frame.route());
        }
        if (m.traceId() != null) {
            put(headers, TRACE, m.traceId());
        }
        if (frame.name() != null) {
            put(headers, NAME, frame.name());
        }
        long size = key.length + (long) value.length;
        for (Header h : headers) {
            size += h.key().length() + h.value().length;
        }
        if (size > limits.maxFrameBytes()) {
            throw tooLarge(frame, size);
        }
        return new ProducerRecord<>(topic, null, key, value, headers);
    }

    private FrameTooLargeException tooLarge(Frame frame, long bytes) {
        return new FrameTooLargeException(String.format(
                "%s in %s needs %.1f MB, over the %.1f MB record limit; use raw-f16 (half the size, error <= 2.5e-4), "
                        + "raw-u8 or png (a quarter or less), or raise KafkaLimits on broker, topics and clients alike",
                frame, encoding.id(), bytes / 1e6, limits.maxFrameBytes() / 1e6), bytes, limits.maxFrameBytes());
    }

    private byte[] encodePayload(Frame frame) {
        float[] rgb = frame.rgb();
        switch (encoding) {
            case RAW_F32: {
                ByteBuffer buf = ByteBuffer.allocate(rgb.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(rgb);
                return buf.array();
            }
            case RAW_F16: {
                ByteBuffer buf = ByteBuffer.allocate(rgb.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                ShortBuffer sb = buf.asShortBuffer();
                for (float v : rgb) {
                    sb.put(HalfFloat.fromFloat(v));
                }
                return buf.array();
            }
            case RAW_U8: {
                byte[] out = new byte[rgb.length];
                for (int i = 0; i < rgb.length; i++) {
                    out[i] = toU8(rgb[i]);
                }
                return out;
            }
            case PNG:
            case JPEG:
                return writeImage(frame);
            default:
                throw new AssertionError(encoding);
        }
    }

    /** [0,1] to 0..255 with rounding, out-of-range clamped, NaN to 0: as the sinks quantise. */
    static byte toU8(float v) {
        if (!(v > 0f)) {
            return 0;
        }
        if (v >= 1f) {
            return (byte) 255;
        }
        return (byte) (int) (v * 255f + 0.5f);
    }

    private byte[] writeImage(Frame frame) {
        int w = frame.width();
        int h = frame.height();
        int plane = w * h;
        float[] rgb = frame.rgb();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0, j = 0; i < plane; i++, j += 3) {
            bgr[j] = toU8(rgb[2 * plane + i]);
            bgr[j + 1] = toU8(rgb[plane + i]);
            bgr[j + 2] = toU8(rgb[i]);
        }
        String format = encoding == PayloadEncoding.PNG ? "png" : "jpeg";
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(1024, plane));
        // memory-cached stream: ImageIO's default file cache would write temp files per frame
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (encoding == PayloadEncoding.JPEG) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(jpegQuality);
            }
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + format + " in memory: " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    // ------------------------------------------------------------------ decoding

    /**
     * The frame in RECORD.
     *
     * @throws FrameFormatException if the record is not a valid version-1 frame record; the
     *                              exception names the record's position
     */
    public ReceivedFrame decode(ConsumerRecord<byte[], byte[]> record) {
        return decode(record.topic(), record.partition(), record.offset(), record.key(), record.value(), record.headers());
    }

    /** Decodes a record that has not been sent, e.g. in tests or before a dead-letter decision. */
    public ReceivedFrame decode(ProducerRecord<byte[], byte[]> record) {
        return decode(null, -1, -1, record.key(), record.value(), record.headers());
    }

    /** Decodes the parts of a record; TOPIC may be null and the position -1 when unknown. */
    public ReceivedFrame decode(String topic, int partition, long offset, byte[] key, byte[] value, Headers headers) {
        try {
            return decodeUnchecked(topic, partition, offset, key, value, headers);
        } catch (FrameFormatException e) {
            throw e.at(topic, partition, offset);
        } catch (RuntimeException e) {
            // anything else a hostile record provokes is still a format error, not a crash of the consumer
            throw new FrameFormatException("undecodable record: " + e, e).at(topic, partition, offset);
        }
    }

    private ReceivedFrame decodeUnchecked(String topic, int partition, long offset, byte[] key, byte[] value,
                                          Headers headers) {
        if (headers == null || headers.lastHeader(VERSION) == null) {
            throw new FrameFormatException("not a daair frame record: no " + VERSION + " header");
        }
        long version = number(headers, VERSION);
        if (version != FORMAT_VERSION) {
            throw new FrameFormatException("unsupported frame format version " + version + " (this reader knows "
                    + FORMAT_VERSION + ")");
        }
        if (key == null || key.length == 0) {
            throw new FrameFormatException("record has no key (the stream id)");
        }
        String streamId = new String(key, StandardCharsets.UTF_8);
        long seq = number(headers, SEQ);
        if (seq < 0) {
            throw new FrameFormatException(SEQ + " is negative: " + seq);
        }
        long pts = number(headers, PTS);
        FrameMeta meta = readMeta(headers);
        String eos = text(headers, EOS, true);
        if (!eos.equals("0") && !eos.equals("1")) {
            throw new FrameFormatException(EOS + " must be 0 or 1, was '" + eos + "'");
        }
        String route = text(headers, ROUTE, false);
        String name = text(headers, NAME, false);
        if (eos.equals("1")) {
            if (value != null && value.length != 0) {
                throw new FrameFormatException("end-of-stream marker with a " + value.length + "-byte payload");
            }
            return new ReceivedFrame(Frame.endOfStream(streamId, seq), meta, null, topic, partition, offset);
        }
        long w = number(headers, WIDTH);
        long h = number(headers, HEIGHT);
        if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE || w * h > MAX_PIXELS) {
            throw new FrameFormatException("bad frame size " + w + "x" + h);
        }
        String encName = text(headers, ENCODING, true);
        PayloadEncoding enc = PayloadEncoding.lookup(encName);
        if (enc == null) {
            throw new FrameFormatException("unknown payload encoding '" + encName + "'");
        }
        String pix = text(headers, PIXEL_FORMAT, true);
        if (!pix.equals(enc.pixelFormat())) {
            throw new FrameFormatException("pixel format '" + pix + "' does not go with encoding " + enc.id()
                    + " (expected " + enc.pixelFormat() + ")");
        }
        if (value == null) {
            throw new FrameFormatException("frame record without a payload");
        }
        int width = (int) w;
        int height = (int) h;
        float[] rgb = decodePayload(enc, width, height, value);
        Frame frame = new Frame(streamId, seq, pts, width, height, rgb, route, name);
        return new ReceivedFrame(frame, meta, enc, topic, partition, offset);
    }

    private static FrameMeta readMeta(Headers headers) {
        String tb = text(headers, TIME_BASE, true);
        int slash = tb.indexOf('/');
        if (slash < 0) {
            throw new FrameFormatException(TIME_BASE + " must be num/den, was '" + tb + "'");
        }
        int num = parseInt(TIME_BASE, tb.substring(0, slash));
        int den = parseInt(TIME_BASE, tb.substring(slash + 1));
        if (num < 0 || den < 0) {
            throw new FrameFormatException("negative time base " + tb);
        }
        return new FrameMeta(num, den, (int) intHeader(headers, COLOR_PRIMARIES), (int) intHeader(headers, COLOR_TRANSFER),
                (int) intHeader(headers, COLOR_SPACE), (int) intHeader(headers, COLOR_RANGE), text(headers, TRACE, false));
    }

    private static float[] decodePayload(PayloadEncoding enc, int width, int height, byte[] value) {
        int samples = 3 * width * height;
        if (enc.isRaw()) {
            long expected = enc.payloadBytes(width, height);
            if (value.length != expected) {
                throw new FrameFormatException(enc.id() + " payload of " + width + "x" + height + " must have "
                        + expected + " bytes, has " + value.length);
            }
        }
        float[] rgb = new float[enc.isRaw() ? samples : 0];
        switch (enc) {
            case RAW_F32:
                ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(rgb);
                return rgb;
            case RAW_F16: {
                ShortBuffer sb = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
                for (int i = 0; i < samples; i++) {
                    rgb[i] = HalfFloat.toFloat(sb.get(i));
                }
                return rgb;
            }
            case RAW_U8:
                for (int i = 0; i < samples; i++) {
                    rgb[i] = FROM_U8[value[i] & 0xff];
                }
                return rgb;
            case PNG:
            case JPEG:
                return readImage(enc, width, height, value);
            default:
                throw new AssertionError(enc);
        }
    }

    private static float[] readImage(PayloadEncoding enc, int width, int height, byte[] value) {
        String format = enc == PayloadEncoding.PNG ? "png" : "jpeg";
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        if (!readers.hasNext()) {
            throw new IllegalStateException("no ImageIO reader for " + format);
        }
        ImageReader reader = readers.next();
        BufferedImage img;
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(value))) {
            reader.setInput(in, true, true);
            // the picture's own size first: a small payload must not make us allocate a huge image
            int iw = reader.getWidth(0);
            int ih = reader.getHeight(0);
            if (iw != width || ih != height) {
                throw new FrameFormatException(format + " picture is " + iw + "x" + ih + ", headers say " + width + "x" + height);
            }
            img = reader.read(0);
        } catch (IOException e) {
            throw new FrameFormatException(format + " payload cannot be decoded: " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
        int plane = width * height;
        float[] rgb = new float[3 * plane];
        Raster raster = img.getRaster();
        if (raster.getNumBands() == 3 && raster.getDataBuffer() instanceof DataBufferByte db
                && raster.getSampleModel() instanceof ComponentSampleModel sm
                && img.getColorModel().getColorSpace().isCS_sRGB() && raster.getSampleModelTranslateX() == 0
                && raster.getSampleModelTranslateY() == 0 && db.getNumBanks() == 1) {
            // fast path: 8-bit interleaved RGB or BGR, which is what the PNG and JPEG readers return for our payloads
            byte[] data = db.getData();
            int[] bandOffsets = sm.getBandOffsets();
            int px = sm.getPixelStride();
            int row = sm.getScanlineStride();
            for (int y = 0; y < height; y++) {
                int base = y * row;
                int o = y * width;
                for (int x = 0; x < width; x++, base += px) {
                    rgb[o + x] = FROM_U8[data[base + bandOffsets[0]] & 0xff];
                    rgb[plane + o + x] = FROM_U8[data[base + bandOffsets[1]] & 0xff];
                    rgb[2 * plane + o + x] = FROM_U8[data[base + bandOffsets[2]] & 0xff];
                }
            }
        } else {
            // anything else (grey, palette, alpha, 16-bit) through the colour model: slower, but correct
            int[] argb = img.getRGB(0, 0, width, height, null, 0, width);
            for (int i = 0; i < plane; i++) {
                int p = argb[i];
                rgb[i] = FROM_U8[(p >>> 16) & 0xff];
                rgb[plane + i] = FROM_U8[(p >>> 8) & 0xff];
                rgb[2 * plane + i] = FROM_U8[p & 0xff];
            }
        }
        return rgb;
    }

    // ------------------------------------------------------------------ header helpers

    private static void put(Headers headers, String name, String value) {
        headers.add(name, utf8(value));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Headers headers, String name, boolean required) {
        Header h = headers.lastHeader(name);
        if (h == null || h.value() == null) {
            if (required) {
                throw new FrameFormatException("missing header " + name);
            }
            return null;
        }
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    private static long number(Headers headers, String name) {
        String s = text(headers, name, true);
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new FrameFormatException("header " + name + " is not a number: '" + s + "'");
        }
    }

    private static long intHeader(Headers headers, String name) {
        long v = number(headers, name);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new FrameFormatException("header " + name + " out of range: " + v);
        }
        return v;
    }

    private static int parseInt(String name, String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new FrameFormatException("header " + name + " is not num/den: '" + s + "'");
        }
    }
}
