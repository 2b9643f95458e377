package org.daair.stream.sink;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;

/**
 * Writes YUV4MPEG2 for {@code -o -} pipes into ffmpeg or a player
 * ({@code daair ... -o - | ffmpeg -f yuv4mpegpipe -i - out.mp4}).
 *
 * <p>Chroma layout: C420jpeg (2x2 box average, centred siting), or 444 / mono when the input was a
 * Y4M stream in that layout (known from {@link StreamInfo#videoCodec()} "y4m:444" / "y4m:mono",
 * as reported by the ingest Y4M reader). Matrix: BT.601, the Y4M convention, limited range
 * unless the input was full range; the header says which with XCOLORRANGE. Frame rate: the
 * input's (25 fps for image sequences).
 *
 * <p>The sink does not own the stream: {@link #finish()} flushes, {@link #close()} never closes
 * it (it may be System.out). An aborted sink leaves what was already piped; a pipe cannot be
 * taken back.
 */
public final class Y4mSink implements FrameSink {

    private static final float KR = 0.299f;
    private static final float KG = 0.587f;
    private static final float KB = 0.114f;

    private final OutputStream out;
    private final StreamInfo info;
    private final boolean fullRange;
    private final String chroma;
    private int width = -1;
    private int height;
    private byte[] buf;
    private boolean finished;
    private boolean closed;

    public Y4mSink(OutputStream out, StreamInfo info) {
        this.out = out instanceof BufferedOutputStream ? out : new BufferedOutputStream(out, 1 << 20);
        this.info = info;
        this.fullRange = info.colorRange() == 2 && info.colorSpace() != 0; // RGB images: limited YUV
        String vc = info.videoCodec() == null ? "" : info.videoCodec();
        this.chroma = vc.equals("y4m:444") ? "444" : vc.equals("y4m:mono") ? "mono" : "420jpeg";
    }

    /** The C parameter written in the header. */
    public String chroma() {
        return chroma;
    }

    @Override
    public void write(Frame f) throws IOException {
        if (finished || closed) {
            throw new IllegalStateException("Y4M sink is already " + (finished ? "finished" : "closed"));
        }
        if (f.isEndOfStream()) {
            return;
        }
        if (width < 0) {
            width = f.width();
            height = f.height();
            writeHeader();
        } else if (f.width() != width || f.height() != height) {
            throw new IOException("frame " + f.seq() + " is " + f.width() + "x" + f.height() + " but the Y4M stream is "
                    + width + "x" + height + ": Y4M cannot change size mid-stream");
        }
        toYuv(f.rgb());
        out.write("FRAME\n".getBytes(StandardCharsets.US_ASCII));
        out.write(buf);
    }

    private void writeHeader() throws IOException {
        int num = info.frameRateNum() > 0 && info.frameRateDen() > 0 ? info.frameRateNum() : 25;
        int den = info.frameRateNum() > 0 && info.frameRateDen() > 0 ? info.frameRateDen() : 1;
        String header = "YUV4MPEG2 W" + width + " H" + height + " F" + num + ":" + den + " Ip A1:1 C" + chroma
                + " XCOLORRANGE=" + (fullRange ? "FULL" : "LIMITED") + "\n";
        out.write(header.getBytes(StandardCharsets.US_ASCII));
        int cw = chroma.equals("420jpeg") ? (width + 1) / 2 : chroma.equals("444") ? width : 0;
        int ch = chroma.equals("420jpeg") ? (height + 1) / 2 : chroma.equals("444") ? height : 0;
        buf = new byte[width * height + 2 * cw * ch];
    }

    /** BT.601 RGB to Y'CbCr; 4:2:0 chroma is the mean over each 2x2 block (edge blocks may be smaller). */
    private void toYuv(float[] rgb) {
        int w = width;
        int h = height;
        int plane = w * h;
        float ys = fullRange ? 255f : 219f;
        float yo = fullRange ? 0f : 16f;
        float cs = fullRange ? 255f : 224f;
        boolean sub = chroma.equals("420jpeg");
        boolean mono = chroma.equals("mono");
        int cw = sub ? (w + 1) / 2 : w;
        int ch = sub ? (h + 1) / 2 : h;
        float[] cb = mono ? null : new float[cw * ch];
        float[] cr = mono ? null : new float[cw * ch];
        float[] cnt = sub ? new float[cw * ch] : null;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                float r = clamp(rgb[i]);
                float g = clamp(rgb[plane + i]);
                float b = clamp(rgb[2 * plane + i]);
                float luma = KR * r + KG * g + KB * b;
                buf[i] = toByte(yo + ys * luma);
                if (!mono) {
                    int c = sub ? (y >> 1) * cw + (x >> 1) : i;
                    cb[c] += (b - luma) / 1.772f;
                    cr[c] += (r - luma) / 1.402f;
                    if (sub) {
                        cnt[c] += 1f;
                    }
                }
            }
        }
        if (!mono) {
            int n = cw * ch;
            for (int c = 0; c < n; c++) {
                float k = sub ? 1f / cnt[c] : 1f;
                buf[plane + c] = toByte(128f + cs * cb[c] * k);
                buf[plane + n + c] = toByte(128f + cs * cr[c] * k);
            }
        }
    }

    private static float clamp(float v) {
        return v > 0f ? (v < 1f ? v : 1f) : 0f;   // NaN becomes 0
    }

    private static byte toByte(float v) {
        int q = Math.round(v);
        return (byte) (q < 0 ? 0 : Math.min(q, 255));
    }

    @Override
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        if (closed) {
            throw new IllegalStateException("Y4M sink is closed");
        }
        if (width < 0) {
            throw new IOException("no frame was written to the Y4M output: nothing to send");
        }
        out.flush();
        finished = true;
    }

    @Override
    public void close() {
        closed = true;
    }
}
