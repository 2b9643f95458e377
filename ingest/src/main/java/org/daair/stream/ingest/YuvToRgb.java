package org.daair.stream.ingest;

import static org.bytedeco.ffmpeg.global.avutil.*;
import static org.bytedeco.ffmpeg.global.swscale.*;

import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVPixFmtDescriptor;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Converts decoded FFmpeg pictures (any pixel format swscale reads) into planar float RGB.
 *
 * <p>Why not let FFmpegFrameGrabber convert: it always uses swscale's default BT.601 matrix and
 * ignores the stream's colour tags, so a BT.709 (HD) video would come out with shifted colours
 * and would not survive a decode/encode round trip. Here the YUV matrix and range come from the
 * frame's tags (falling back to the stream's, then to a size heuristic), and the sink applies
 * the very same rule when it converts back. Sources deeper than 8 bits go through RGB48 so the
 * extra precision reaches the network.
 */
final class YuvToRgb implements AutoCloseable {

    private static final float[] LUT8 = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            LUT8[i] = i / 255f;
        }
    }

    private SwsContext sws;
    private int srcFormat = AV_PIX_FMT_NONE;
    private int width;
    private int height;
    private int swsColorspace = -1;
    private int srcFullRange = -1;
    private boolean deep;
    private BytePointer dst;
    private int dstStride;
    private byte[] bytes;
    // 4 entries because sws_scale reads dst[0..3] whatever the format; unused ones must be NULL.
    private final PointerPointer<BytePointer> dstData = new PointerPointer<>(4);
    private final IntPointer dstLinesize = new IntPointer(4);

    /**
     * Maps FFmpeg's AVCOL_SPC_* to swscale's SWS_CS_* coefficient table, with the heuristic players
     * use for untagged video: BT.709 from 720 lines up, BT.601 below. Keep in sync with the sink's
     * RgbToYuv so that decode and encode are inverse operations.
     */
    static int swsColorspace(int avcolSpace, int height) {
        switch (avcolSpace) {
            case 1: return SWS_CS_ITU709;          // AVCOL_SPC_BT709
            case 4: return SWS_CS_FCC;             // AVCOL_SPC_FCC
            case 5:                                // AVCOL_SPC_BT470BG
            case 6: return SWS_CS_ITU601;          // AVCOL_SPC_SMPTE170M
            case 7: return SWS_CS_SMPTE240M;       // AVCOL_SPC_SMPTE240M
            case 9:                                // AVCOL_SPC_BT2020_NCL
            case 10: return SWS_CS_BT2020;         // AVCOL_SPC_BT2020_CL (approximated by NCL)
            default: return height >= 720 ? SWS_CS_ITU709 : SWS_CS_ITU601;
        }
    }

    /**
     * @param pic         a decoded picture
     * @param streamSpace the stream's AVCOL_SPC_*, used when the frame carries none
     * @param streamRange the stream's AVCOL_RANGE_*, used when the frame carries none
     * @return 3*w*h planar RGB floats in [0, 1]
     */
    float[] convert(AVFrame pic, int streamSpace, int streamRange) throws SourceException {
        int fmt = pic.format();
        int w = pic.width();
        int h = pic.height();
        AVPixFmtDescriptor desc = av_pix_fmt_desc_get(fmt);
        if (desc == null || desc.isNull()) {
            throw new SourceException("decoder produced an unknown pixel format (" + fmt + "): this video cannot be converted");
        }
        int space = pic.colorspace() != AVCOL_SPC_UNSPECIFIED ? pic.colorspace() : streamSpace;
        int range = pic.color_range() != AVCOL_RANGE_UNSPECIFIED ? pic.color_range() : streamRange;
        String fmtName = av_get_pix_fmt_name(fmt).getString();
        int full = range == AVCOL_RANGE_JPEG || fmtName.startsWith("yuvj") ? 1 : 0;
        int cs = swsColorspace(space, h);
        ensureContext(fmt, fmtName, desc, w, h, cs, full);

        sws_scale(sws, new PointerPointer<>(pic), pic.linesize(), 0, h, dstData, dstLinesize);

        int plane = w * h;
        float[] rgb = new float[3 * plane];
        dst.position(0).get(bytes, 0, dstStride * h);
        if (!deep) {
            for (int y = 0; y < h; y++) {
                int row = y * dstStride;   // rows are dstStride bytes apart, not 3*w
                int o = y * w;
                for (int x = 0; x < w; x++, o++) {
                    int p = row + 3 * x;
                    rgb[o] = LUT8[bytes[p] & 0xFF];
                    rgb[plane + o] = LUT8[bytes[p + 1] & 0xFF];
                    rgb[2 * plane + o] = LUT8[bytes[p + 2] & 0xFF];
                }
            }
        } else {
            final float s = 1f / 65535f;
            for (int y = 0; y < h; y++) {
                int row = y * dstStride;
                int o = y * w;
                for (int x = 0; x < w; x++, o++) {
                    int p = row + 6 * x;   // RGB48LE: 3 little-endian 16-bit samples
                    rgb[o] = ((bytes[p] & 0xFF) | (bytes[p + 1] & 0xFF) << 8) * s;
                    rgb[plane + o] = ((bytes[p + 2] & 0xFF) | (bytes[p + 3] & 0xFF) << 8) * s;
                    rgb[2 * plane + o] = ((bytes[p + 4] & 0xFF) | (bytes[p + 5] & 0xFF) << 8) * s;
                }
            }
        }
        return rgb;
    }

    private void ensureContext(int fmt, String fmtName, AVPixFmtDescriptor desc, int w, int h, int cs, int full)
            throws SourceException {
        if (sws != null && fmt == srcFormat && w == width && h == height && cs == swsColorspace && full == srcFullRange) {
            return;
        }
        freeNative();
        deep = desc.comp(0).depth() > 8;
        int dstFormat = deep ? AV_PIX_FMT_RGB48LE : AV_PIX_FMT_RGB24;
        sws = sws_getContext(w, h, fmt, w, h, dstFormat,
                SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, null, null, (double[]) null);
        if (sws == null || sws.isNull()) {
            sws = null;
            throw new SourceException("unsupported pixel format " + fmtName + " (" + w + "x" + h
                    + "): swscale cannot convert it to RGB; transcode the input first, e.g. ffmpeg -i IN -pix_fmt yuv420p OUT");
        }
        boolean isRgb = (desc.flags() & AV_PIX_FMT_FLAG_RGB) != 0;
        if (!isRgb && desc.nb_components() >= 3) {
            // Source matrix + range; RGB side is full range by definition. Ignore the result: it
            // is negative only for format pairs where the matrix does not apply.
            sws_setColorspaceDetails(sws, sws_getCoefficients(cs), full,
                    sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
        }
        // 64-byte aligned rows and buffer so swscale can use its SIMD paths.
        dstStride = ((deep ? 6 : 3) * w + 63) & ~63;
        long size = (long) dstStride * h;
        dst = new BytePointer(av_malloc(size)).capacity(size);
        dstData.put(0, dst);
        for (int i = 1; i < 4; i++) {
            dstData.put(i, (org.bytedeco.javacpp.Pointer) null);
            dstLinesize.put(i, 0);
        }
        dstLinesize.put(0, dstStride);
        bytes = new byte[(int) size];
        srcFormat = fmt;
        width = w;
        height = h;
        swsColorspace = cs;
        srcFullRange = full;
    }

    private void freeNative() {
        if (sws != null) {
            sws_freeContext(sws);
            sws = null;
        }
        if (dst != null) {
            av_free(dst);
            dst = null;
        }
    }

    @Override
    public void close() {
        freeNative();
        dstData.close();
        dstLinesize.close();
    }
}
