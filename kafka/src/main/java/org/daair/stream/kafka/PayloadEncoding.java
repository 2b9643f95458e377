package org.daair.stream.kafka;

import java.util.Locale;

/**
 * How a frame's pixels are written into the record value. The encoding is named in the
 * {@code daair.enc} header, so a consumer decodes any of them without configuration; only the
 * producer chooses.
 *
 * <table>
 *   <caption>payload encodings</caption>
 *   <tr><th>id</th><th>value</th><th>bytes per pixel</th><th>round trip</th></tr>
 *   <tr><td>{@code raw-f32}</td><td>float32 little-endian, planar R, G, B</td><td>12</td><td>bit-exact</td></tr>
 *   <tr><td>{@code raw-f16}</td><td>IEEE half float little-endian, planar</td><td>6</td><td>|error| &le; 2.5e-4 on [0,1]</td></tr>
 *   <tr><td>{@code raw-u8}</td><td>one byte per sample, planar, v = b / 255</td><td>3</td><td>exact for k/255 values, else &le; 1/510</td></tr>
 *   <tr><td>{@code png}</td><td>8-bit RGB PNG (ImageIO)</td><td>varies</td><td>same as raw-u8</td></tr>
 *   <tr><td>{@code jpeg}</td><td>8-bit RGB JPEG (ImageIO), quality set by the codec</td><td>varies</td><td>lossy</td></tr>
 * </table>
 *
 * <p>{@link #DEFAULT} is {@code raw-f32} for both raw and restored frames: only an exact payload
 * guarantees that a pipeline over Kafka gives the same pixels as the in-process one. Decoded source
 * frames are not all multiples of 1/255 (YUV to RGB conversion makes arbitrary floats), so even raw
 * frames lose precision in {@code raw-u8}.
 */
public enum PayloadEncoding {
    RAW_F32("raw-f32", "rgbf32-planar", 12),
    RAW_F16("raw-f16", "rgbf16-planar", 6),
    RAW_U8("raw-u8", "rgb8-planar", 3),
    PNG("png", "rgb24", 0),
    JPEG("jpeg", "rgb24", 0);

    /** The encoding used when nothing is configured, for raw and restored frames alike. */
    public static final PayloadEncoding DEFAULT = RAW_F32;

    private final String id;
    private final String pixelFormat;
    private final int rawBytesPerPixel;

    PayloadEncoding(String id, String pixelFormat, int rawBytesPerPixel) {
        this.id = id;
        this.pixelFormat = pixelFormat;
        this.rawBytesPerPixel = rawBytesPerPixel;
    }

    /** The name used in the {@code daair.enc} header and in configuration. */
    public String id() {
        return id;
    }

    /** The pixel layout of the payload, written to the {@code daair.pix} header. */
    public String pixelFormat() {
        return pixelFormat;
    }

    /** Whether the payload size follows from the geometry alone (the raw encodings). */
    public boolean isRaw() {
        return rawBytesPerPixel > 0;
    }

    /**
     * Exact payload size of a raw encoding for WIDTH x HEIGHT, or -1 for the compressed ones
     * (their size depends on the picture). Computed in long: 4K raw-f32 is 99.5 MB.
     */
    public long payloadBytes(int width, int height) {
        return rawBytesPerPixel == 0 ? -1 : (long) rawBytesPerPixel * width * height;
    }

    /** Parses an id such as {@code raw-f32} (case-insensitive; {@code _} may replace {@code -}). */
    public static PayloadEncoding parse(String id) {
        if (id != null) {
            String s = id.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (PayloadEncoding e : values()) {
                if (e.id.equals(s)) {
                    return e;
                }
            }
        }
        throw new IllegalArgumentException("unknown payload encoding '" + id + "' (raw-f32, raw-f16, raw-u8, png, jpeg)");
    }

    /** Like {@link #parse} but null when unknown, for decoding. */
    static PayloadEncoding lookup(String id) {
        for (PayloadEncoding e : values()) {
            if (e.id.equals(id)) {
                return e;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return id;
    }
}
