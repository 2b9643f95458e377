package org.daair.stream.sink;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avformat.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVOutputFormat;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVRational;

/**
 * Second pass of {@link VideoFileSink}: writes the final file from the freshly encoded video
 * (temporary file) plus the audio and subtitle streams of the source file, all copied packet by
 * packet without decoding, so the sound is bit-exact.
 *
 * <p>Why a second pass rather than feeding audio to the recorder while encoding: the restorer
 * delivers video frames only, possibly much later than the audio is read; copying compressed
 * packets afterwards needs no audio decoder, no resampling and no re-encoding loss.
 *
 * <p>Both inputs are read in parallel and written in timestamp order, so memory stays bounded
 * whatever the length. Timestamps are kept on the source timeline (the video was encoded with
 * the source's pts), which keeps audio and video in sync. If the video covers noticeably less
 * than the source (a partial run), audio after the video's end is dropped.
 */
final class Remuxer {

    static {
        av_log_set_level(AV_LOG_ERROR); // see FrameEncoder
    }

    private Remuxer() {
    }

    /** Opens a file for reading packets; the caller closes it with {@link #closeInput}. */
    static AVFormatContext openInput(Path path) throws IOException {
        AVFormatContext ic = new AVFormatContext(null);
        AVDictionary opts = new AVDictionary(null);
        int ret = avformat_open_input(ic, "file:" + path.toAbsolutePath(), null, opts);
        av_dict_free(opts);
        if (ret < 0) {
            throw new IOException("cannot reopen " + path + " to copy its streams: " + err(ret));
        }
        ret = avformat_find_stream_info(ic, (org.bytedeco.javacpp.PointerPointer<?>) null);
        if (ret < 0) {
            avformat_close_input(ic);
            throw new IOException("cannot read the streams of " + path + ": " + err(ret));
        }
        return ic;
    }

    static void closeInput(AVFormatContext ic) {
        if (ic != null && !ic.isNull()) {
            avformat_close_input(ic);
        }
    }

    /**
     * Indices of the source's audio and subtitle streams that the output muxer can hold.
     * Subtitles the container cannot carry (e.g. mov_text into WebM) are skipped, not converted.
     */
    static List<Integer> copyableStreams(AVFormatContext src, String muxer) {
        AVOutputFormat ofmt = av_guess_format(muxer, null, null);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < src.nb_streams(); i++) {
            AVCodecParameters par = src.streams(i).codecpar();
            int type = par.codec_type();
            if (type != AVMEDIA_TYPE_AUDIO && type != AVMEDIA_TYPE_SUBTITLE) {
                continue;
            }
            if (par.codec_id() == AV_CODEC_ID_NONE) {
                continue;
            }
            // 1: supported, 0: not, <0: the muxer does not say (then let write_header decide)
            if (ofmt != null && avformat_query_codec(ofmt, par.codec_id(), FF_COMPLIANCE_NORMAL) == 0) {
                continue;
            }
            out.add(i);
        }
        return out;
    }

    /**
     * Writes {@code out} with the video of {@code video} and the streams {@code copy} of {@code src}.
     *
     * @return the number of source packets copied
     */
    static long remux(Path video, AVFormatContext src, List<Integer> copy, Path out, String muxer,
                      OutputColor color, Map<String, String> muxerOptions) throws IOException {
        AVFormatContext vin = openInput(video);
        AVFormatContext oc = new AVFormatContext(null);
        AVIOContext pb = null;
        AVPacket pv = av_packet_alloc();
        AVPacket ps = av_packet_alloc();
        boolean headerWritten = false;
        try {
            int ret = avformat_alloc_output_context2(oc, null, muxer, out.toString());
            if (ret < 0 || oc.isNull()) {
                throw new IOException("cannot create a " + muxer + " muxer for " + out + ": " + err(ret));
            }
            int vIndex = av_find_best_stream(vin, AVMEDIA_TYPE_VIDEO, -1, -1, (org.bytedeco.ffmpeg.avcodec.AVCodec) null, 0);
            if (vIndex < 0) {
                throw new IOException("the encoded video " + video + " has no video stream");
            }
            AVStream vst = vin.streams(vIndex);
            AVStream ovs = newStream(oc, vst);
            AVCodecParameters vpar = ovs.codecpar();
            vpar.color_primaries(color.primaries());
            vpar.color_trc(color.transfer());
            vpar.color_space(color.space());
            vpar.color_range(color.range());
            ovs.avg_frame_rate(vst.avg_frame_rate());
            ovs.r_frame_rate(vst.r_frame_rate());

            int srcVideo = av_find_best_stream(src, AVMEDIA_TYPE_VIDEO, -1, -1, (org.bytedeco.ffmpeg.avcodec.AVCodec) null, 0);
            if (srcVideo >= 0) {
                copyMetadata(src.streams(srcVideo), ovs, "language");
            }
            int[] map = new int[src.nb_streams()];
            java.util.Arrays.fill(map, -1);
            for (int i : copy) {
                AVStream is = src.streams(i);
                AVStream os = newStream(oc, is);
                os.disposition(is.disposition());
                copyMetadata(is, os, null);
                map[i] = os.index();
            }
            AVDictionary global = new AVDictionary(null);
            av_dict_copy(global, src.metadata(), 0);
            av_dict_set(global, "encoder", null, 0); // the muxer writes its own
            oc.metadata(global);

            pb = new AVIOContext(null);
            ret = avio_open(pb, "file:" + out.toAbsolutePath(), AVIO_FLAG_WRITE);
            if (ret < 0) {
                pb = null;
                throw new IOException("cannot write " + out + ": " + err(ret));
            }
            oc.pb(pb);
            AVDictionary hopts = new AVDictionary(null);
            muxerOptions.forEach((k, v) -> av_dict_set(hopts, k, v, 0));
            ret = avformat_write_header(oc, hopts);
            av_dict_free(hopts);
            if (ret < 0) {
                throw new IOException("cannot write the " + muxer + " header of " + out + ": " + err(ret));
            }
            headerWritten = true;

            AVRational tbV = vst.time_base();
            AVRational tbOutV = ovs.time_base(); // the muxer may have changed it in write_header
            long videoEndUs = streamEndMicros(vin, vst);
            long srcEndUs = srcVideo >= 0 ? streamEndMicros(src, src.streams(srcVideo)) : Long.MAX_VALUE;
            double frameUs = vst.avg_frame_rate().num() > 0
                    ? 1e6 * vst.avg_frame_rate().den() / vst.avg_frame_rate().num() : 40_000;
            // Trim the audio only for a partial run; a full run keeps the source's tail as is.
            long cutUs = videoEndUs < srcEndUs - 1.5 * frameUs ? videoEndUs : Long.MAX_VALUE;

            boolean hasV = readVideo(vin, pv, vIndex);
            boolean hasS = readMapped(src, ps, map);
            long copied = 0;
            while (hasV || hasS) {
                boolean takeVideo;
                if (!hasS) {
                    takeVideo = true;
                } else if (!hasV) {
                    takeVideo = false;
                } else {
                    AVRational tbS = src.streams(ps.stream_index()).time_base();
                    takeVideo = compare(order(pv), tbV, order(ps), tbS) <= 0;
                }
                if (takeVideo) {
                    av_packet_rescale_ts(pv, tbV, tbOutV);
                    pv.stream_index(ovs.index());
                    pv.pos(-1);
                    write(oc, pv, out);
                    hasV = readVideo(vin, pv, vIndex);
                } else {
                    AVStream is = src.streams(ps.stream_index());
                    long startUs = ps.pts() != AV_NOPTS_VALUE ? av_rescale_q(ps.pts(), is.time_base(), av_get_time_base_q()) : 0;
                    if (startUs < cutUs) {
                        AVStream os = oc.streams(map[ps.stream_index()]);
                        av_packet_rescale_ts(ps, is.time_base(), os.time_base());
                        ps.stream_index(os.index());
                        ps.pos(-1);
                        write(oc, ps, out);
                        copied++;
                    } else {
                        av_packet_unref(ps);
                    }
                    hasS = readMapped(src, ps, map);
                }
            }
            ret = av_write_trailer(oc);
            if (ret < 0) {
                throw new IOException("cannot finish " + out + ": " + err(ret));
            }
            return copied;
        } finally {
            av_packet_free(pv);
            av_packet_free(ps);
            if (pb != null) {
                avio_closep(pb);
            }
            if (!oc.isNull()) {
                avformat_free_context(oc);
            }
            closeInput(vin);
            if (!headerWritten) {
                java.nio.file.Files.deleteIfExists(out);
            }
        }
    }

    private static AVStream newStream(AVFormatContext oc, AVStream in) throws IOException {
        AVStream os = avformat_new_stream(oc, null);
        if (os == null || os.isNull()) {
            throw new IOException("cannot add a stream to the output");
        }
        int ret = avcodec_parameters_copy(os.codecpar(), in.codecpar());
        if (ret < 0) {
            throw new IOException("cannot copy stream parameters: " + err(ret));
        }
        os.codecpar().codec_tag(0); // let the output muxer choose its own tag for the codec
        os.time_base(in.time_base());
        return os;
    }

    /** Copies all stream metadata, or one key when {@code onlyKey} is set. */
    private static void copyMetadata(AVStream from, AVStream to, String onlyKey) {
        AVDictionary md = new AVDictionary(null);
        av_dict_copy(md, to.metadata(), 0);
        if (onlyKey == null) {
            av_dict_copy(md, from.metadata(), 0);
        } else {
            org.bytedeco.ffmpeg.avutil.AVDictionaryEntry e = av_dict_get(from.metadata(), onlyKey, null, 0);
            if (e != null && !e.isNull()) {
                av_dict_set(md, onlyKey, e.value().getString(), 0);
            }
        }
        to.metadata(md);
    }

    /** Media end of a stream in microseconds (start + duration), from the stream or the container. */
    private static long streamEndMicros(AVFormatContext ic, AVStream st) {
        long start = st.start_time() != AV_NOPTS_VALUE ? av_rescale_q(st.start_time(), st.time_base(), av_get_time_base_q()) : 0;
        if (st.duration() != AV_NOPTS_VALUE && st.duration() > 0) {
            return start + av_rescale_q(st.duration(), st.time_base(), av_get_time_base_q());
        }
        return ic.duration() != AV_NOPTS_VALUE && ic.duration() > 0 ? start + ic.duration() : Long.MAX_VALUE;
    }

    private static boolean readVideo(AVFormatContext ic, AVPacket pkt, int index) {
        while (av_read_frame(ic, pkt) >= 0) {
            if (pkt.stream_index() == index) {
                return true;
            }
            av_packet_unref(pkt);
        }
        return false;
    }

    private static boolean readMapped(AVFormatContext ic, AVPacket pkt, int[] map) {
        while (av_read_frame(ic, pkt) >= 0) {
            int i = pkt.stream_index();
            if (i >= 0 && i < map.length && map[i] >= 0) {
                return true;
            }
            av_packet_unref(pkt);
        }
        return false;
    }

    /** The timestamp packets are interleaved by: dts, else pts, else "now". */
    private static long order(AVPacket p) {
        return p.dts() != AV_NOPTS_VALUE ? p.dts() : p.pts();
    }

    private static int compare(long a, AVRational tbA, long b, AVRational tbB) {
        if (a == AV_NOPTS_VALUE) {
            return -1;
        }
        if (b == AV_NOPTS_VALUE) {
            return 1;
        }
        return av_compare_ts(a, tbA, b, tbB);
    }

    private static void write(AVFormatContext oc, AVPacket pkt, Path out) throws IOException {
        int ret = av_interleaved_write_frame(oc, pkt); // takes the packet's reference
        if (ret < 0) {
            throw new IOException("writing a packet to " + out + " failed: " + err(ret));
        }
    }

    static String err(int code) {
        byte[] buf = new byte[256];
        if (av_strerror(code, buf, buf.length) < 0) {
            return "error " + code;
        }
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8) + " (" + code + ")";
    }
}
