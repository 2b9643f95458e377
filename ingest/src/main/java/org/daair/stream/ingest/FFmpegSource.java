package org.daair.stream.ingest;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avformat.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacketSideData;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIndexEntry;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionaryEntry;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;

/**
 * Decodes a video file or a live URL (rtsp, rtmp, srt, udp, http(s), ...) with FFmpeg through
 * JavaCV's {@link FFmpegFrameGrabber}.
 *
 * <p>The grabber runs in RAW mode and the conversion to RGB is done by {@link YuvToRgb}, which
 * honours the stream's colour matrix and range (the grabber's own conversion assumes BT.601).
 * Only the video stream is decoded; audio and subtitles are left in the file for the sink to copy.
 *
 * <p>{@link #info()} reports the frame rate as a rational (avg_frame_rate, else r_frame_rate), the
 * stream time base, the colour tags from the stream's AVCodecParameters, the rotation (display
 * matrix side data, else the legacy "rotate" tag) in degrees clockwise, an estimated frame count
 * and whether the input carries audio.
 */
public final class FFmpegSource implements FrameSource {

    /** Default socket timeout for network inputs: fail instead of hanging forever. */
    public static final java.time.Duration DEFAULT_READ_TIMEOUT = java.time.Duration.ofSeconds(15);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FFmpegSource.class);
    private static final Pattern ERROR_CODE = Pattern.compile("error (-?\\d+)");

    static {
        quietFFmpeg();
    }

    private final String input;
    private final String streamId;
    private final FFmpegFrameGrabber grabber;
    private final StreamInfo info;
    private final YuvToRgb converter = new YuvToRgb();
    private long seq;
    private boolean ended;
    private boolean closed;

    /**
     * Opens and probes {@code input}; decoding starts with the first {@link #next()}.
     *
     * @param input    a local path or a URL
     * @param streamId the id stamped on every frame
     * @throws SourceException when the input is missing, empty, not a video, truncated or unsupported
     */
    public FFmpegSource(String input, String streamId) throws SourceException {
        this(input, streamId, DEFAULT_READ_TIMEOUT);
    }

    /**
     * As {@link #FFmpegSource(String, String)}, with the time a network input may send nothing
     * before opening or reading fails (how fast a dropped camera is noticed).
     */
    public FFmpegSource(String input, String streamId, java.time.Duration readTimeout) throws SourceException {
        this(input, streamId, readTimeout, null);
    }

    /**
     * Opens {@code input} with the video decoder {@code decoder}: "" or null for FFmpeg's default
     * (software), "nvdec" for NVIDIA's hardware decoder of the stream's codec (h264_cuvid,
     * hevc_cuvid, ...), or a decoder name. A hardware decoder that cannot open (no NVIDIA driver,
     * a codec it does not take) is replaced by the software one, with a warning: decoding never
     * fails for want of a GPU.
     */
    public static FFmpegSource open(String input, String streamId, java.time.Duration readTimeout, String decoder)
            throws SourceException {
        FFmpegSource sw = new FFmpegSource(input, streamId, readTimeout, null);
        if (decoder == null || decoder.isBlank()) {
            return sw;
        }
        String name = decoder.equals("nvdec") ? nvdecFor(sw.info().videoCodec()) : decoder;
        if (name == null) {
            LOG.info("no NVDEC decoder for {} video: decoding '{}' in software", sw.info().videoCodec(), input);
            return sw;
        }
        // one connection at a time: a live UDP input cannot be bound twice
        sw.close();
        try {
            FFmpegSource hw = new FFmpegSource(input, streamId, readTimeout, name);
            LOG.info("decoding '{}' with {}", input, name);
            return hw;
        } catch (SourceException e) {
            LOG.warn("decoder {} cannot decode '{}' here ({}): decoding in software", name, input, e.getMessage());
            return new FFmpegSource(input, streamId, readTimeout, null);
        }
    }

    /** NVIDIA's decoder (NVDEC, through FFmpeg's cuvid wrappers) for a codec, or null when there is none. */
    static String nvdecFor(String codec) {
        return switch (codec == null ? "" : codec) {
            case "h264", "hevc", "av1", "vp8", "vp9", "mjpeg", "vc1" -> codec + "_cuvid";
            case "mpeg1video" -> "mpeg1_cuvid";
            case "mpeg2video" -> "mpeg2_cuvid";
            case "mpeg4" -> "mpeg4_cuvid";
            default -> null;
        };
    }

    private FFmpegSource(String input, String streamId, java.time.Duration readTimeout, String decoderName) throws SourceException {
        this.input = input;
        this.streamId = streamId;
        boolean url = Sources.isUrl(input);
        Path path = null;
        if (url) {
            Sources.requireSupportedScheme(input);
        } else {
            path = Sources.toPath(input);
            Sources.checkReadableFile(path);
        }
        // "file:" keeps FFmpeg from reading a colon in a local name as a protocol ("a:b.mp4").
        String target = url ? input : "file:" + path.toAbsolutePath();
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(target);
        g.setImageMode(FrameGrabber.ImageMode.RAW);
        if (decoderName != null) {
            g.setVideoCodecName(decoderName);
        }
        if (url) {
            configureNetwork(g, input, Long.toString(Math.max(1, readTimeout.toNanos() / 1000)));
        }
        try {
            g.start();
        } catch (FrameGrabber.Exception e) {
            releaseQuietly(g);
            throw translateOpenError(e, input, path);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            releaseQuietly(g);
            throw new SourceException("cannot open '" + input + "' with FFmpeg: " + e, e);
        }
        this.grabber = g;
        try {
            this.info = probe(path);
        } catch (SourceException e) {
            close();
            throw e;
        }
    }

    /** Sets FFmpeg's global log level to errors only: its per-frame warnings would drown our logs. */
    public static void quietFFmpeg() {
        av_log_set_level(AV_LOG_ERROR);
    }

    @Override
    public StreamInfo info() {
        return info;
    }

    @Override
    public Frame next() throws IOException {
        if (closed) {
            throw new IllegalStateException("source " + streamId + " is closed");
        }
        if (ended) {
            return null;
        }
        org.bytedeco.javacv.Frame f;
        try {
            f = grabber.grabImage();
        } catch (FrameGrabber.Exception e) {
            throw new SourceException("decoding '" + input + "' failed at frame " + seq + ": " + e.getMessage()
                    + "; the input is damaged or the connection dropped", e);
        }
        if (f == null || f.image == null || !(f.opaque instanceof AVFrame)) {
            ended = true;
            if (seq == 0) {
                throw new SourceException("no video frame could be decoded from '" + input
                        + "': the file is damaged or truncated, or the stream sent no picture");
            }
            return null;
        }
        AVFrame pic = (AVFrame) f.opaque;
        float[] rgb = converter.convert(pic, info.colorSpace(), info.colorRange());
        return new Frame(streamId, seq++, f.timestamp, pic.width(), pic.height(), rgb, null, null);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        releaseQuietly(grabber);
        converter.close();
    }

    // ------------------------------------------------------------------ probing

    private StreamInfo probe(Path path) throws SourceException {
        if (!grabber.hasVideo()) {
            throw new SourceException("input '" + input + "' has no video stream (audio-only or data file): give a video");
        }
        AVFormatContext oc = grabber.getFormatContext();
        AVStream st = oc.streams(grabber.getVideoStream());
        AVCodecParameters par = st.codecpar();
        int w = par.width();
        int h = par.height();
        if (w <= 0 || h <= 0 || w > 16384 || h > 16384 || (long) w * h > 16384L * 16384 / 4) {
            throw new SourceException("input '" + input + "' has an absurd video size " + w + "x" + h
                    + " (limit 16384 per side): the file is corrupt or not a normal video");
        }
        if (path != null) {
            checkIndexWithinFile(oc, path);
        }

        AVRational rate = st.avg_frame_rate();
        if (rate.num() <= 0 || rate.den() <= 0) {
            rate = st.r_frame_rate();
        }
        int rateNum = rate.num() > 0 && rate.den() > 0 ? rate.num() : 25;
        int rateDen = rate.num() > 0 && rate.den() > 0 ? rate.den() : 1;

        long count = st.nb_frames() > 0 ? st.nb_frames() : -1;
        if (count < 0 && oc.duration() > 0 && oc.duration() != AV_NOPTS_VALUE) {
            count = Math.round(oc.duration() / (double) AV_TIME_BASE * rateNum / rateDen);
        }

        boolean hasAudio = false;
        for (int i = 0; i < oc.nb_streams(); i++) {
            hasAudio |= oc.streams(i).codecpar().codec_type() == AVMEDIA_TYPE_AUDIO;
        }
        String codec = avcodec_get_name(par.codec_id()).getString();
        return new StreamInfo(streamId, input, w, h, rateNum, rateDen,
                st.time_base().num(), st.time_base().den(),
                par.color_primaries(), par.color_trc(), par.color_space(), par.color_range(),
                rotation(st), count, hasAudio, codec);
    }

    /**
     * Clockwise rotation a player applies, in [0, 360): the display matrix side data (FFmpeg's
     * av_display_rotation_get is counter-clockwise, hence the minus), else the legacy "rotate"
     * tag, which is clockwise.
     */
    static double rotation(AVStream st) {
        AVCodecParameters par = st.codecpar();
        double deg = 0;
        boolean found = false;
        if (par.nb_coded_side_data() > 0) {
            AVPacketSideData sd = av_packet_side_data_get(par.coded_side_data(), par.nb_coded_side_data(),
                    AV_PKT_DATA_DISPLAYMATRIX);
            if (sd != null && !sd.isNull() && sd.size() >= 9 * 4) {
                deg = -av_display_rotation_get(new IntPointer(sd.data()));
                found = true;
            }
        }
        if (!found) {
            AVDictionaryEntry e = av_dict_get(st.metadata(), "rotate", null, 0);
            if (e != null && !e.isNull()) {
                try {
                    deg = Double.parseDouble(e.value().getString().trim());
                } catch (NumberFormatException ignored) {
                    deg = 0;
                }
            }
        }
        if (Double.isNaN(deg) || Double.isInfinite(deg)) {
            return 0;
        }
        deg = ((deg % 360) + 360) % 360;
        deg = Math.round(deg * 1e6) / 1e6;
        return deg == 360 ? 0 : deg;
    }

    /**
     * An MP4/MOV whose index ("moov") sits at the front opens fine even when the media data was cut
     * off; the last indexed sample then starts beyond the end of the file. Catch that here so the
     * user hears "truncated" instead of getting a short video.
     */
    private void checkIndexWithinFile(AVFormatContext oc, Path path) throws SourceException {
        String fmt = oc.iformat() == null ? "" : oc.iformat().name().getString();
        if (!fmt.contains("mov") && !fmt.contains("mp4")) {
            return;
        }
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            return;
        }
        for (int i = 0; i < oc.nb_streams(); i++) {
            AVStream st = oc.streams(i);
            int n = avformat_index_get_entries_count(st);
            if (n <= 0) {
                continue;
            }
            AVIndexEntry last = avformat_index_get_entry(st, n - 1);
            if (last != null && !last.isNull() && last.pos() + Math.max(0, last.size()) > size) {
                throw new SourceException("input '" + input + "' is truncated: its index points to byte "
                        + (last.pos() + last.size()) + " but the file has only " + size
                        + " bytes; copy or download it again");
            }
        }
    }

    // ------------------------------------------------------------------ errors

    private static void configureNetwork(FFmpegFrameGrabber g, String url, String timeoutMicros) {
        String scheme = url.substring(0, url.indexOf(':')).toLowerCase(Locale.ROOT);
        if (scheme.equals("rtsp") || scheme.equals("rtsps")) {
            // TCP interleaving survives NAT and loss better than RTP over UDP; "timeout" is the
            // RTSP demuxer's socket timeout.
            g.setOption("rtsp_transport", "tcp");
            g.setOption("timeout", timeoutMicros);
        } else {
            g.setOption("rw_timeout", timeoutMicros);
            if (scheme.equals("udp") || scheme.equals("rtp")) {
                // the UDP protocol's own receive timeout: a sender that stops is an error, not a hang
                g.setOption("timeout", timeoutMicros);
            }
        }
    }

    /** Turns the grabber's "error -NNN" exceptions into a message a user can act on. */
    static SourceException translateOpenError(Exception e, String input, Path path) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        int code = 0;
        Matcher m = ERROR_CODE.matcher(msg);
        if (m.find()) {
            try {
                code = Integer.parseInt(m.group(1));
            } catch (NumberFormatException ignored) {
                code = 0;
            }
        }
        String reason = code != 0 ? errorText(code) : msg.replaceAll(" \\(For more details.*", "");
        if (msg.contains("avcodec_find_decoder")) {
            return new SourceException("the video codec of '" + input
                    + "' is not supported by this FFmpeg build: transcode it first (e.g. to H.264)", e);
        }
        if (msg.contains("avcodec_open2")) {
            return new SourceException("cannot open the video decoder for '" + input + "' (" + reason
                    + "): the stream parameters are damaged or unsupported", e);
        }
        if (msg.contains("Did not find a video or audio stream")) {
            return new SourceException("input '" + input + "' has no video stream: give a video file", e);
        }
        if (path == null) {
            return new SourceException("cannot open stream '" + input + "' (" + reason
                    + "): check that the source is live, the address and port are right and it is reachable", e);
        }
        if (code == AVERROR_INVALIDDATA() || msg.contains("avformat_find_stream_info")) {
            if (looksLikeIsoMedia(path)) {
                return new SourceException("input '" + input + "' looks like an MP4/MOV but cannot be read ("
                        + reason + "): it is truncated or was never finalized (no 'moov' index); copy it again", e);
            }
            return new SourceException("input '" + input + "' is not a video FFmpeg can read (" + reason
                    + "): check that it really is a video file", e);
        }
        return new SourceException("cannot open '" + input + "' (" + reason + ")", e);
    }

    static String errorText(int code) {
        byte[] buf = new byte[256];
        if (av_strerror(code, buf, buf.length) < 0) {
            return "error " + code;
        }
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** ISO base media files (MP4, MOV, 3GP) start with a box whose type is "ftyp" at offset 4. */
    private static boolean looksLikeIsoMedia(Path path) {
        byte[] head = new byte[12];
        try (InputStream in = Files.newInputStream(path)) {
            int n = in.readNBytes(head, 0, head.length);
            if (n < 8) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        String type = new String(head, 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
        return type.equals("ftyp") || type.equals("moov") || type.equals("mdat") || type.equals("wide");
    }

    private static void releaseQuietly(FFmpegFrameGrabber g) {
        if (g == null) {
            return;
        }
        try {
            g.release();
        } catch (Exception ignored) {
            // Nothing sensible to do: the native side is gone either way.
        }
    }
}
