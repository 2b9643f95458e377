package org.daair.stream.sink;


import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avformat.*;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.ingest.FFmpegSource;
import org.daair.stream.ingest.FrameSource;


/**
 * Generates short test clips with JavaCV, so tests need no media files and no ffmpeg CLI (clip generation
 * comes from the ingest module's test-jar), and reads
 * packets back for bit-exactness checks.
 */
final class TestClips {

    private TestClips() {
    }

    /** The repository's sample video, or null when the checkout has no shared data. */
    static Path sampleVideo() {
        return org.daair.stream.ingest.TestClips.sampleVideo();
    }

    static Path clip(Path file, int frames, int w, int h, int fps, double audioSeconds, double rotation) throws Exception {
        return org.daair.stream.ingest.TestClips.clip(file, frames, w, h, fps, audioSeconds, rotation);
    }

    static int[] rgbAt(int w, int h, int i, int x, int y) {
        return org.daair.stream.ingest.TestClips.rgbAt(w, h, i, x, y);
    }

    /** Payloads of the first audio stream's packets, in file order. */
    static List<byte[]> audioPackets(Path file) {
        AVFormatContext ic = new AVFormatContext(null);
        if (avformat_open_input(ic, file.toString(), null, new AVDictionary(null)) < 0) {
            throw new IllegalStateException("cannot open " + file);
        }
        try {
            avformat_find_stream_info(ic, (org.bytedeco.javacpp.PointerPointer<?>) null);
            int a = av_find_best_stream(ic, AVMEDIA_TYPE_AUDIO, -1, -1, (AVCodec) null, 0);
            List<byte[]> out = new ArrayList<>();
            if (a < 0) {
                return out;
            }
            AVPacket p = av_packet_alloc();
            while (av_read_frame(ic, p) >= 0) {
                if (p.stream_index() == a) {
                    byte[] b = new byte[p.size()];
                    p.data().get(b);
                    out.add(b);
                }
                av_packet_unref(p);
            }
            av_packet_free(p);
            return out;
        } finally {
            avformat_close_input(ic);
        }
    }

    /** Decodes a whole file: its info and its frames. */
    static Decoded decode(Path file) throws Exception {
        try (FrameSource src = new FFmpegSource(file.toString(), "check")) {
            List<org.daair.stream.common.Frame> frames = new ArrayList<>();
            org.daair.stream.common.Frame f;
            while ((f = src.next()) != null) {
                frames.add(f);
            }
            return new Decoded(src.info(), frames);
        }
    }

    record Decoded(StreamInfo info, List<org.daair.stream.common.Frame> frames) {
    }

    /** Mean absolute difference of two frames' pixels, in [0, 1]. */
    static double mae(org.daair.stream.common.Frame a, org.daair.stream.common.Frame b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new AssertionError("sizes differ: " + a + " vs " + b);
        }
        double s = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            s += Math.abs(a.rgb()[i] - b.rgb()[i]);
        }
        return s / a.rgb().length;
    }
}
