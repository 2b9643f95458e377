package org.daair.stream.cli.eval;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameFilter;

/**
 * Runs a sequence of frames through an FFmpeg filter graph (libavfilter through JavaCV's
 * {@link FFmpegFrameFilter}), e.g. the classical denoisers {@code hqdn3d} and {@code nlmeans}, for
 * the benchmark's comparison with DaAIR.
 *
 * <p>Frames go in and come out as 8-bit RGB. The graph is wrapped in {@code format=yuv444p} ...
 * {@code format=rgb24}: the denoisers work on YUV planes, and 4:4:4 keeps full colour resolution,
 * so what is measured is the filter and not a chroma subsampling. Frames are pushed in order
 * through one graph, so temporal filters (hqdn3d's third and fourth parameters) see the previous
 * frames, as they would in a video.
 */
public final class FfmpegVideoFilter {

    private final String filter;

    /** @param filter an FFmpeg video filter chain, e.g. "hqdn3d=4:3:6:4.5" */
    public FfmpegVideoFilter(String filter) {
        this.filter = filter;
    }

    public String filter() {
        return filter;
    }

    /**
     * Whether this FFmpeg build has a filter. Some are GPL-only ({@code hqdn3d}): the default LGPL
     * build lacks them, the GPL one ({@code mvn -Pgpl}) has them.
     */
    public static boolean available(String filterName) {
        return org.bytedeco.ffmpeg.global.avfilter.avfilter_get_by_name(filterName) != null;
    }

    /** The first filter's name in a chain such as "hqdn3d=8:6:12:9". */
    static String name(String chain) {
        return chain.split("[=,:]", 2)[0].trim();
    }

    /** Filters the frames (planar RGB floats in [0, 1], all w x h) and returns them in order. */
    public List<float[]> apply(List<float[]> frames, int w, int h) throws java.io.IOException {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        if (!available(name(filter))) {
            throw new java.io.IOException("this FFmpeg build has no '" + name(filter) + "' filter"
                    + (name(filter).equals("hqdn3d") ? " (GPL-only: build with mvn -Pgpl)" : ""));
        }
        List<float[]> out = new ArrayList<>(frames.size());
        try (FFmpegFrameFilter graph = new FFmpegFrameFilter("format=yuv444p," + filter + ",format=rgb24", w, h)) {
            graph.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
            graph.setFrameRate(25);
            graph.start();
            ByteBuffer packed = ByteBuffer.allocateDirect(3 * w * h);
            for (float[] rgb : frames) {
                pack(rgb, w, h, packed);
                graph.pushImage(0, w, h, org.bytedeco.javacv.Frame.DEPTH_UBYTE, 3, 3 * w, avutil.AV_PIX_FMT_RGB24, packed);
                drain(graph, w, h, out);
            }
            graph.push(null); // end of stream: filters holding frames back let them go
            drain(graph, w, h, out);
            graph.stop();
        }
        if (out.size() != frames.size()) {
            throw new IllegalStateException("filter '" + filter + "' returned " + out.size() + " frames for " + frames.size());
        }
        return out;
    }

    private static void drain(FFmpegFrameFilter graph, int w, int h, List<float[]> out) throws FFmpegFrameFilter.Exception {
        for (org.bytedeco.javacv.Frame f; (f = graph.pullImage()) != null; ) {
            out.add(unpack(f, w, h));
        }
    }

    private static void pack(float[] rgb, int w, int h, ByteBuffer dst) {
        int plane = w * h;
        dst.clear();
        for (int i = 0; i < plane; i++) {
            dst.put((byte) ImageQuality.to8bit(rgb[i]));
            dst.put((byte) ImageQuality.to8bit(rgb[plane + i]));
            dst.put((byte) ImageQuality.to8bit(rgb[2 * plane + i]));
        }
        dst.flip();
    }

    private static float[] unpack(org.bytedeco.javacv.Frame f, int w, int h) {
        if (f.imageWidth != w || f.imageHeight != h || f.imageChannels != 3) {
            throw new IllegalStateException("filter returned a " + f.imageWidth + "x" + f.imageHeight + "x" + f.imageChannels
                    + " frame, expected " + w + "x" + h + " RGB");
        }
        ByteBuffer b = (ByteBuffer) f.image[0];
        int stride = f.imageStride; // rows may be padded: never assume 3 * width
        int plane = w * h;
        float[] rgb = new float[3 * plane];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * stride + 3 * x;
                int i = y * w + x;
                rgb[i] = (b.get(p) & 0xFF) / 255f;
                rgb[plane + i] = (b.get(p + 1) & 0xFF) / 255f;
                rgb[2 * plane + i] = (b.get(p + 2) & 0xFF) / 255f;
            }
        }
        return rgb;
    }
}
