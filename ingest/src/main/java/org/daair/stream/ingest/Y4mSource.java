package org.daair.stream.ingest;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;

/**
 * Reads a YUV4MPEG2 stream, typically standard input fed by
 * {@code ffmpeg -i IN -f yuv4mpegpipe -pix_fmt yuv420p -}.
 *
 * <p>Supported header parameters: {@code W H} (size), {@code F} (frame rate), {@code I}
 * (interlacing, reported but not acted on), {@code A} (pixel aspect), {@code C} (420jpeg,
 * 420mpeg2, 420paldv, 420, 422, 444, mono; 8 bits only) and {@code XCOLORRANGE=FULL|LIMITED}.
 * YUV is converted with the BT.601 matrix, limited range unless the header says FULL: Y4M has no
 * matrix tag and BT.601 is what its producers assume.
 *
 * <p>Chroma is upsampled by replication, which is the exact inverse of the 2x2 box average the
 * sink's Y4M writer uses, so a Y4M passthrough loses nothing beyond 8-bit rounding.
 *
 * <p>The header is validated before any buffer is allocated: absurd sizes and unsupported
 * colour spaces fail with a {@link SourceException} instead of an OutOfMemoryError.
 */
public final class Y4mSource implements FrameSource {

    /** Largest side accepted; also W*H may not exceed a quarter of 16384^2 (67 Mpx). */
    public static final int MAX_SIDE = 16384;
    private static final long MAX_PIXELS = (long) MAX_SIDE * MAX_SIDE / 4;
    private static final int MAX_LINE = 4096;

    // BT.601: R = Y + 1.402 Cr, G = Y - 0.344136 Cb - 0.714136 Cr, B = Y + 1.772 Cb
    private static final float KR_V = 1.402f;
    private static final float KG_U = 0.344136f;
    private static final float KG_V = 0.714136f;
    private static final float KB_U = 1.772f;

    private final InputStream in;
    private final String streamId;
    private final String sourceName;
    private final int width;
    private final int height;
    private final int rateNum;
    private final int rateDen;
    private final char interlace;
    private final int aspectNum;
    private final int aspectDen;
    private final String chroma;
    private final boolean fullRange;
    private final int rangeTag;
    private final int chromaShiftX;
    private final int chromaShiftY;
    private final boolean mono;
    private final int chromaW;
    private final int chromaH;
    private final int frameBytes;
    /** Grows while the first frame arrives: a header claiming a giant frame allocates only what the stream delivers. */
    private byte[] buf = new byte[0];
    private final StreamInfo info;
    private final float[] yLut = new float[256];
    private final float[] cLut = new float[256];
    private long seq;
    private boolean ended;
    private boolean closed;

    /**
     * Reads and validates the stream header.
     *
     * @param in       the stream; it is closed by {@link #close()}
     * @param streamId id stamped on frames
     */
    public Y4mSource(InputStream in, String streamId) throws IOException {
        this(in, streamId, "y4m");
    }

    /**
     * @param source     what {@link StreamInfo#source()} reports: "-" for standard input (so a
     *                   sink never mistakes it for a file to copy audio from), or a file name
     */
    public Y4mSource(InputStream in, String streamId, String source) throws IOException {
        this.in = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 20);
        this.streamId = streamId;
        this.sourceName = "-".equals(source) ? "stdin" : source; // for messages
        String header = readLine(true);
        if (header == null) {
            throw new SourceException("Y4M input '" + sourceName + "' is empty: nothing was piped in; check the upstream command");
        }
        if (!header.startsWith("YUV4MPEG2")) {
            throw new SourceException("input '" + sourceName + "' is not a YUV4MPEG2 stream (it starts with '"
                    + printable(header) + "'): pipe it with ffmpeg -i IN -f yuv4mpegpipe -pix_fmt yuv420p -");
        }
        int w = -1;
        int h = -1;
        int fn = 0;
        int fd = 0;
        char il = '?';
        int an = 0;
        int ad = 0;
        String c = "420jpeg";
        String range = null;
        for (String tok : header.substring("YUV4MPEG2".length()).trim().split(" +")) {
            if (tok.isEmpty()) {
                continue;
            }
            String v = tok.substring(1);
            switch (tok.charAt(0)) {
                case 'W': w = parseInt(v, "W"); break;
                case 'H': h = parseInt(v, "H"); break;
                case 'F': { int[] r = ratio(v, "F"); fn = r[0]; fd = r[1]; break; }
                case 'I': il = v.isEmpty() ? '?' : v.charAt(0); break;
                case 'A': { int[] r = ratio(v, "A"); an = r[0]; ad = r[1]; break; }
                case 'C': c = v; break;
                case 'X':
                    if (v.toUpperCase(Locale.ROOT).startsWith("COLORRANGE=")) {
                        range = v.substring("COLORRANGE=".length()).toUpperCase(Locale.ROOT);
                    }
                    break;
                default:
                    break; // unknown parameters are allowed by the format and ignored
            }
        }
        if (w == -1 || h == -1) {
            throw new SourceException("Y4M header of '" + sourceName + "' has no W/H size: the stream is corrupt");
        }
        if (w <= 0 || h <= 0 || w > MAX_SIDE || h > MAX_SIDE || (long) w * h > MAX_PIXELS) {
            throw new SourceException("Y4M header of '" + sourceName + "' declares an absurd resolution " + w + "x" + h
                    + " (limit " + MAX_SIDE + " per side and " + MAX_PIXELS + " pixels): the stream is corrupt");
        }
        switch (c) {
            case "420jpeg": case "420mpeg2": case "420paldv": case "420":
                chromaShiftX = 1; chromaShiftY = 1; mono = false; break;
            case "422":
                chromaShiftX = 1; chromaShiftY = 0; mono = false; break;
            case "444":
                chromaShiftX = 0; chromaShiftY = 0; mono = false; break;
            case "mono":
                chromaShiftX = 0; chromaShiftY = 0; mono = true; break;
            default:
                throw new SourceException("Y4M colour space C" + c + " of '" + sourceName
                        + "' is not supported (use 8-bit 420jpeg, 420mpeg2, 420paldv, 420, 422, 444 or mono): "
                        + "add -pix_fmt yuv420p to the ffmpeg command");
        }
        if (fn <= 0 || fd <= 0) {
            fn = 25; // "F0:0" or no F: unknown rate; 25 fps keeps timestamps meaningful
            fd = 1;
        }
        this.width = w;
        this.height = h;
        this.rateNum = fn;
        this.rateDen = fd;
        this.interlace = il;
        this.aspectNum = an;
        this.aspectDen = ad;
        this.chroma = c;
        this.fullRange = "FULL".equals(range);
        this.rangeTag = range == null ? 0 : fullRange ? 2 : 1;   // AVCOL_RANGE_UNSPECIFIED / MPEG / JPEG
        this.chromaW = mono ? 0 : (w + (1 << chromaShiftX) - 1) >> chromaShiftX;
        this.chromaH = mono ? 0 : (h + (1 << chromaShiftY) - 1) >> chromaShiftY;
        this.frameBytes = (int) ((long) w * h + 2L * chromaW * chromaH);
        for (int i = 0; i < 256; i++) {
            yLut[i] = fullRange ? i / 255f : (i - 16) / 219f;
            cLut[i] = fullRange ? (i - 128) / 255f : (i - 128) / 224f;
        }
        // Colour space 6 (SMPTE 170M = BT.601) says which matrix we used, so a video sink encodes
        // with the same one; primaries and transfer are unknown (2).
        this.info = new StreamInfo(streamId, source, w, h, fn, fd, fd, fn,
                2, 2, 6, rangeTag, 0, -1, false, "y4m:" + c);
    }

    @Override
    public StreamInfo info() {
        return info;
    }

    /** Interlacing from the header: 'p' progressive, 't'/'b' top/bottom first, 'm' mixed, '?' unknown. */
    public char interlace() {
        return interlace;
    }

    /** Pixel aspect ratio {num, den} from the header; {0, 0} when unknown. */
    public int[] pixelAspect() {
        return new int[] {aspectNum, aspectDen};
    }

    /** The C parameter, e.g. "420jpeg", "444", "mono". */
    public String chroma() {
        return chroma;
    }

    /** True when the header says XCOLORRANGE=FULL. */
    public boolean fullRange() {
        return fullRange;
    }

    @Override
    public Frame next() throws IOException {
        if (closed) {
            throw new IllegalStateException("source " + streamId + " is closed");
        }
        if (ended) {
            return null;
        }
        String frameHeader = readLine(false);
        if (frameHeader == null) {
            ended = true;
            return null;
        }
        if (!frameHeader.startsWith("FRAME")) {
            throw new SourceException("Y4M stream '" + sourceName + "' is corrupt: expected FRAME before frame " + seq
                    + " but found '" + printable(frameHeader) + "'");
        }
        int n = readFrame();
        if (n < frameBytes) {
            throw new SourceException("Y4M stream '" + sourceName + "' is truncated: frame " + seq + " has " + n
                    + " of " + frameBytes + " bytes; the upstream process probably stopped early");
        }
        float[] rgb = toRgb();
        long pts = Math.round(seq * 1_000_000.0 * rateDen / rateNum);
        return new Frame(streamId, seq++, pts, width, height, rgb, null, null);
    }

    /** Reads one frame's samples into {@link #buf}; returns how many bytes came (less at the end of the stream). */
    private int readFrame() throws IOException {
        if (buf.length == frameBytes) {
            return in.readNBytes(buf, 0, frameBytes);
        }
        // first frame: grow the buffer with the data, so a lying header cannot make us allocate
        // hundreds of MB (and the float frame after them) for a stream of a few bytes
        byte[] b = new byte[Math.min(frameBytes, 1 << 16)];
        int filled = 0;
        while (filled < frameBytes) {
            if (filled == b.length) {
                b = java.util.Arrays.copyOf(b, (int) Math.min(frameBytes, 2L * b.length));
            }
            int n = in.read(b, filled, b.length - filled);
            if (n < 0) {
                return filled;
            }
            filled += n;
        }
        buf = b;
        return filled;
    }

    private float[] toRgb() {
        int plane = width * height;
        float[] rgb = new float[3 * plane];
        int uOff = plane;
        int vOff = plane + chromaW * chromaH;
        for (int y = 0; y < height; y++) {
            int crow = (y >> chromaShiftY) * chromaW;
            for (int x = 0; x < width; x++) {
                int o = y * width + x;
                float yy = yLut[buf[o] & 0xFF];
                float r;
                float g;
                float b;
                if (mono) {
                    r = g = b = yy;
                } else {
                    int ci = crow + (x >> chromaShiftX);
                    float u = cLut[buf[uOff + ci] & 0xFF];
                    float v = cLut[buf[vOff + ci] & 0xFF];
                    r = yy + KR_V * v;
                    g = yy - KG_U * u - KG_V * v;
                    b = yy + KB_U * u;
                }
                rgb[o] = clamp(r);
                rgb[plane + o] = clamp(g);
                rgb[2 * plane + o] = clamp(b);
            }
        }
        return rgb;
    }

    private static float clamp(float v) {
        return v < 0f ? 0f : (v > 1f ? 1f : v);
    }

    /** Reads one '\n'-terminated ASCII line; null at a clean end of stream. */
    private String readLine(boolean header) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (sb.length() == 0) {
                    return null;
                }
                throw new SourceException("Y4M stream '" + sourceName + "' ends inside a " + (header ? "header" : "frame header")
                        + ": the stream is truncated");
            }
            if (b == '\n') {
                return sb.toString();
            }
            if (sb.length() >= MAX_LINE) {
                throw new SourceException("input '" + sourceName + "' is not a valid YUV4MPEG2 stream (no line end within "
                        + MAX_LINE + " bytes): pipe it with ffmpeg -f yuv4mpegpipe");
            }
            sb.append((char) b);
        }
    }

    private int parseInt(String v, String what) throws SourceException {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new SourceException("Y4M header of '" + sourceName + "' has an invalid " + what + " value '" + printable(v)
                    + "': the stream is corrupt");
        }
    }

    private int[] ratio(String v, String what) throws SourceException {
        int colon = v.indexOf(':');
        if (colon < 0) {
            throw new SourceException("Y4M header of '" + sourceName + "' has an invalid " + what + " ratio '" + printable(v)
                    + "' (expected N:D): the stream is corrupt");
        }
        return new int[] {parseInt(v.substring(0, colon), what), parseInt(v.substring(colon + 1), what)};
    }

    private static String printable(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        byte[] b = t.getBytes(StandardCharsets.ISO_8859_1);
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(x >= 32 && x < 127 ? (char) x : '?');
        }
        return sb.toString();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            in.close();
        } catch (IOException ignored) {
            // closing a pipe that is already gone is not an error worth reporting
        }
    }
}
