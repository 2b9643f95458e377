package org.daair.stream.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FrameRecorder;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;

/**
 * The encoding core shared by {@link VideoFileSink} and {@link StreamSink}: one
 * {@link FFmpegFrameRecorder} started lazily on the first frame (the restorer may change the
 * frame size, so the first frame, not the source, decides it), colour conversion with
 * {@link RgbToYuv}, timestamps from each frame's pts, and encoder fallback at open time.
 */
final class FrameEncoder {

    private static final System.Logger LOG = System.getLogger(FrameEncoder.class.getName());

    static {
        // Errors only: at INFO FFmpeg dumps every stream layout and per-frame warnings to stderr.
        org.bytedeco.ffmpeg.global.avutil.av_log_set_level(org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR);
    }

    private final String target;
    private final String label;
    private final String muxer;
    private final StreamInfo info;
    private final SinkOptions opts;
    private final List<String> candidates;
    private final boolean live;
    private final Map<String, String> muxerOptions;
    private final double fps;
    private final boolean useSourcePts;

    private FFmpegFrameRecorder recorder;
    private RgbToYuv converter;
    private String encoder;
    private OutputColor color;
    private int width;
    private int height;
    private long frames;
    private long lastIndex = Long.MIN_VALUE;
    private long firstPts = Long.MIN_VALUE;

    /**
     * @param target       file path or URL the recorder writes to
     * @param muxer        FFmpeg muxer name, set explicitly so temporary names do not matter
     * @param live         network output: timestamps start at 0, low-latency encoder settings
     * @param muxerOptions format/protocol options (movflags, hls_time, rtsp_transport, ...)
     * @param label        how messages name the output (URLs without credentials)
     */
    FrameEncoder(String target, String muxer, StreamInfo info, SinkOptions opts, List<String> candidates,
                 boolean live, Map<String, String> muxerOptions, String label) {
        this.target = target;
        this.label = label;
        this.muxer = muxer;
        this.info = info;
        this.opts = opts;
        this.candidates = candidates;
        this.live = live;
        this.muxerOptions = muxerOptions;
        // Image sequences have no rate (0/1): use the option, and number frames by arrival.
        this.useSourcePts = info.frameRateNum() > 0 && info.frameRateDen() > 0;
        this.fps = useSourcePts ? info.frameRate() : opts.frameRate();
    }

    /** Encodes one frame; end-of-stream markers are ignored. */
    void write(Frame f) throws IOException {
        if (f.isEndOfStream()) {
            return;
        }
        if (recorder == null) {
            start(f.width(), f.height());
        } else if (f.width() != width || f.height() != height) {
            throw new IOException("frame " + f.seq() + " is " + f.width() + "x" + f.height() + " but the video started at "
                    + width + "x" + height + ": a video output needs a constant frame size");
        }
        long index = frameIndex(f);
        ByteBuffer yuv = converter.convert(f.rgb());
        try {
            recorder.setFrameNumber(Math.toIntExact(index));
            recorder.recordImage(converter.encodedWidth(), converter.encodedHeight(), org.bytedeco.javacv.Frame.DEPTH_UBYTE,
                    1, converter.encodedWidth(), converter.pixelFormat(), yuv);
        } catch (FrameRecorder.Exception | ArithmeticException e) {
            throw new IOException("encoding frame " + f.seq() + " to " + label + " failed: " + e.getMessage(), e);
        }
        frames++;
    }

    /**
     * Position of the frame on the 1/fps time grid of the encoder, from its pts (what
     * {@link FFmpegFrameRecorder#setTimestamp} computes), forced to increase so that a jittery
     * or variable-rate source never sends the encoder a repeated timestamp.
     */
    private long frameIndex(Frame f) {
        long index;
        if (!useSourcePts) {
            index = frames;
        } else {
            long pts = f.ptsMicros();
            if (live) {
                if (firstPts == Long.MIN_VALUE) {
                    firstPts = pts;
                }
                pts -= firstPts;
            }
            index = Math.round(pts * fps / 1_000_000.0);
        }
        if (lastIndex != Long.MIN_VALUE && index <= lastIndex) {
            index = lastIndex + 1;
        }
        lastIndex = index;
        return index;
    }

    private void start(int w, int h) throws IOException {
        if (w <= 0 || h <= 0) {
            throw new IOException("cannot encode a " + w + "x" + h + " frame");
        }
        OutputColor color = OutputColor.forOutput(info, h);
        this.color = color;
        List<String> errors = new ArrayList<>();
        for (String name : candidates) {
            int pixfmt = Encoders.pixelFormatFor(name);
            RgbToYuv conv = new RgbToYuv(w, h, pixfmt, color.swsSpace(), color.fullRange());
            FFmpegFrameRecorder r = new FFmpegFrameRecorder(target, conv.encodedWidth(), conv.encodedHeight(), 0);
            r.setFormat(muxer);
            r.setVideoCodecName(name);
            r.setPixelFormat(pixfmt);
            r.setFrameRate(fps);
            color.codecOptions().forEach(r::setVideoOption);
            if (name.equals("libx264") || name.endsWith("_nvenc") && name.startsWith("h264")) {
                // The recorder defaults every H.264 encoder to Constrained Baseline (for
                // libopenh264); x264 and NVENC can do High, which is much more efficient.
                r.setVideoOption("profile", "high");
            }
            if (info.rotationDegrees() != 0) {
                // JavaCV takes the angle counter-clockwise (FFmpeg's display-matrix convention);
                // StreamInfo holds it clockwise, like the legacy "rotate" tag.
                r.setDisplayRotation(-info.rotationDegrees());
            }
            Encoders.configure(r, name, opts, conv.encodedWidth(), conv.encodedHeight(), fps, live);
            muxerOptions.forEach(r::setOption);
            try {
                r.start();
                this.recorder = r;
                this.converter = conv;
                this.encoder = name;
                this.width = w;
                this.height = h;
                if (!errors.isEmpty()) {
                    LOG.log(System.Logger.Level.WARNING, "using encoder " + name + " after " + errors);
                }
                return;
            } catch (FrameRecorder.Exception | RuntimeException e) {
                errors.add(name + ": " + shortMessage(e));
                release(r);
                conv.close();
            }
        }
        throw new IOException("cannot open a video encoder for " + label + " (tried " + String.join("; ", errors) + ")");
    }

    static String shortMessage(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.replaceAll(" \\(For more details.*", "").replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    /** The encoder actually in use, or null before the first frame. */
    String encoderName() {
        return encoder;
    }

    /** Colour tags of the output, or null before the first frame. */
    OutputColor color() {
        return color;
    }

    long frames() {
        return frames;
    }

    boolean started() {
        return recorder != null;
    }

    /** Flushes the encoder and writes the trailer. */
    void finish() throws IOException {
        if (recorder == null) {
            return;
        }
        FFmpegFrameRecorder r = recorder;
        recorder = null;
        try {
            r.stop();
        } catch (FrameRecorder.Exception e) {
            throw new IOException("finishing " + label + " failed: " + shortMessage(e), e);
        } finally {
            release(r);
            converter.close();
        }
    }

    /** Drops everything without writing a trailer. */
    void abort() {
        if (recorder != null) {
            release(recorder);
            recorder = null;
            converter.close();
        }
    }

    private static void release(FFmpegFrameRecorder r) {
        try {
            r.release();
        } catch (Exception ignored) {
            // already failing or aborting; the native side is freed either way
        }
    }
}
