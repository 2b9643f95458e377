package org.daair.stream.sink;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV444P;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.javacv.FFmpegFrameRecorder;

/**
 * Chooses a video encoder by name with fallback, and knows each encoder's quirks.
 *
 * <p>Why a chain: the FFmpeg build that ships with JavaCV by default is LGPL and has no libx264;
 * H.264 then goes through libopenh264 (Constrained Baseline, rejects {@code preset}), and
 * {@code mpeg4} is the last resort that every build has. Hardware encoders such as
 * {@code h264_nvenc} are compiled in but only open on a machine with an NVIDIA driver, so the
 * sinks try to open candidates in order, not just look them up.
 */
public final class Encoders {

    /** The default chain for MP4, MKV, MOV, AVI, MPEG-TS and RTSP outputs. */
    public static final List<String> H264_CHAIN = List.of("libx264", "libopenh264", "mpeg4");
    /** FLV (RTMP) and HLS cannot carry MPEG-4 part 2. */
    public static final List<String> H264_ONLY = List.of("libx264", "libopenh264");
    /** WebM allows VP8/VP9/AV1 only. */
    public static final List<String> WEBM_CHAIN = List.of("libvpx-vp9", "libvpx", "libaom-av1");
    /** The lossless encoder. */
    public static final String LOSSLESS = "ffv1";

    private static final Set<String> LOSSLESS_CONTAINERS = Set.of("matroska", "avi", "nut");

    private Encoders() {
    }

    /** True when this FFmpeg build contains an encoder with that name. */
    public static boolean isAvailable(String name) {
        if (name == null || name.isBlank()) {
            return false;
        }
        AVCodec c = avcodec_find_encoder_by_name(name);
        return c != null && !c.isNull();
    }

    /**
     * Returns the first name in {@code preferred} that {@code avcodec_find_encoder_by_name} finds.
     *
     * @throws IOException when none of them is in this FFmpeg build
     */
    public static String pick(List<String> preferred) throws IOException {
        for (String name : preferred) {
            if (isAvailable(name)) {
                return name;
            }
        }
        throw new IOException("none of the video encoders " + preferred + " is available in this FFmpeg build;"
                + " use the GPL build (-Pgpl) or choose another output format");
    }

    /** Default encoder chain for an FFmpeg muxer name ("mp4", "matroska", "flv", "hls", ...). */
    public static List<String> defaultsFor(String muxer) {
        switch (muxer) {
            case "webm":
                return WEBM_CHAIN;
            case "flv":
            case "hls":
                return H264_ONLY;
            default:
                return H264_CHAIN;
        }
    }

    /**
     * The ordered, de-duplicated list of encoders a sink tries for {@code muxer}: the one asked for
     * in the options first, then the container's defaults; only FFV1 when lossless is asked.
     *
     * @throws IOException when lossless output is asked for a container that cannot hold FFV1
     */
    public static List<String> candidates(String muxer, SinkOptions opts) throws IOException {
        if (opts.lossless()) {
            if (!LOSSLESS_CONTAINERS.contains(muxer)) {
                throw new IOException("lossless output (FFV1) needs a .mkv, .avi or .nut output, not " + muxer);
            }
            return List.of(LOSSLESS);
        }
        Set<String> out = new LinkedHashSet<>();
        if (opts.encoder() != null && !opts.encoder().isBlank()) {
            out.add(opts.encoder());
        }
        out.addAll(defaultsFor(muxer));
        List<String> available = new ArrayList<>();
        for (String name : out) {
            if (isAvailable(name)) {
                available.add(name);
            }
        }
        if (available.isEmpty()) {
            pick(new ArrayList<>(out)); // throws with the list in the message
        }
        return available;
    }

    /** FFV1 keeps full chroma (it is meant to be lossless); everything else gets 4:2:0. */
    static int pixelFormatFor(String encoder) {
        return LOSSLESS.equals(encoder) ? AV_PIX_FMT_YUV444P : AV_PIX_FMT_YUV420P;
    }

    /**
     * Applies rate control and speed settings in the form each encoder understands.
     *
     * @param live true for network outputs: short GOP, low-latency tuning
     */
    static void configure(FFmpegFrameRecorder r, String encoder, SinkOptions o, int width, int height,
                          double fps, boolean live) {
        long autoBitrate = autoBitrate(width, height, fps);
        int q = o.quality();
        switch (encoder) {
            case "libx264":
                r.setVideoOption("preset", o.preset() != null ? o.preset() : live ? "veryfast" : "medium");
                if (live) {
                    r.setVideoOption("tune", "zerolatency");
                }
                if (o.bitrate() > 0) {
                    r.setVideoBitrate(toInt(o.bitrate()));
                } else {
                    r.setVideoOption("crf", Integer.toString(q >= 0 ? q : 18));
                }
                break;
            case "libopenh264":
                // No preset and no CRF: bitrate control only.
                r.setVideoOption("rc_mode", "bitrate");
                r.setVideoBitrate(toInt(o.bitrate() > 0 ? o.bitrate() : autoBitrate));
                break;
            case "h264_nvenc":
            case "hevc_nvenc":
            case "av1_nvenc":
                r.setVideoOption("preset", o.preset() != null ? o.preset() : "p5");
                if (o.bitrate() > 0) {
                    r.setVideoBitrate(toInt(o.bitrate()));
                } else {
                    r.setVideoOption("rc", "vbr");
                    r.setVideoOption("cq", Integer.toString(q >= 0 ? q : 19));
                    r.setVideoBitrate(0);
                }
                break;
            case "libvpx-vp9":
            case "libvpx":
                r.setVideoOption("deadline", live ? "realtime" : "good");
                r.setVideoOption("cpu-used", live ? "8" : "4");
                r.setVideoOption("row-mt", "1");
                if (o.bitrate() > 0) {
                    r.setVideoBitrate(toInt(o.bitrate()));
                } else {
                    r.setVideoOption("crf", Integer.toString(q >= 0 ? q : 31));
                    r.setVideoBitrate(0);
                }
                break;
            case "mpeg4":
                if (o.bitrate() > 0) {
                    r.setVideoBitrate(toInt(o.bitrate()));
                } else {
                    r.setVideoQuality(q >= 0 ? q : 2); // qscale: fixed quality
                }
                break;
            case LOSSLESS:
                r.setVideoOption("level", "3");
                r.setVideoOption("slicecrc", "1");
                break;
            default:
                r.setVideoBitrate(toInt(o.bitrate() > 0 ? o.bitrate() : autoBitrate));
                break;
        }
        if (live) {
            r.setGopSize(Math.max(1, (int) Math.round(fps * 2))); // a key frame every 2 s for joiners
        }
        o.videoOptions().forEach(r::setVideoOption);
    }

    /** About 0.2 bit per pixel: visually clean H.264 for restored footage, 0.5 to 80 Mbit/s. */
    static long autoBitrate(int width, int height, double fps) {
        double bits = 0.2 * width * height * (fps > 0 ? fps : 25);
        return Math.max(500_000L, Math.min(80_000_000L, Math.round(bits)));
    }

    private static int toInt(long v) {
        return (int) Math.min(Integer.MAX_VALUE, v);
    }
}
