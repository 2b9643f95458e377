package org.daair.stream.sink;

import static org.bytedeco.ffmpeg.global.avutil.*;
import static org.bytedeco.ffmpeg.global.swscale.*;

import java.nio.ByteBuffer;

import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Converts planar float RGB frames to the encoder's YUV layout with an explicit matrix and range.
 *
 * <p>Why not hand RGB to FFmpegFrameRecorder: its internal swscale context always uses BT.601
 * limited range, which would contradict a BT.709 or full-range tag. The output is one contiguous
 * buffer laid out as {@code av_image_fill_arrays(..., align=1)}, which the recorder passes to the
 * encoder without another conversion.
 *
 * <p>4:2:0 needs even sizes: an odd width or height is padded by repeating the last column/row,
 * so the encoded picture is at most one pixel larger than the frame.
 */
final class RgbToYuv implements AutoCloseable {

    private final int width;
    private final int height;
    private final int encWidth;
    private final int encHeight;
    private final int dstFormat;
    private final SwsContext sws;
    private final int srcStride;
    private final byte[] staging;
    private final BytePointer src;
    private final BytePointer dst;
    private final int dstSize;
    private final PointerPointer<Pointer> srcData = new PointerPointer<>(4);
    private final IntPointer srcLinesize = new IntPointer(4);
    private final PointerPointer<Pointer> dstData = new PointerPointer<>(4);
    private final IntPointer dstLinesize = new IntPointer(4);
    private boolean closed;

    RgbToYuv(int width, int height, int dstFormat, int swsSpace, boolean fullRange) {
        this.width = width;
        this.height = height;
        boolean subsampled = av_pix_fmt_desc_get(dstFormat).log2_chroma_w() > 0;
        this.encWidth = subsampled ? (width + 1) & ~1 : width;
        this.encHeight = av_pix_fmt_desc_get(dstFormat).log2_chroma_h() > 0 ? (height + 1) & ~1 : height;
        this.dstFormat = dstFormat;
        this.sws = sws_getContext(encWidth, encHeight, AV_PIX_FMT_RGB24, encWidth, encHeight, dstFormat,
                SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP | SWS_FULL_CHR_H_INT, null, null, (double[]) null);
        if (sws == null || sws.isNull()) {
            throw new IllegalStateException("swscale cannot convert RGB24 to " + av_get_pix_fmt_name(dstFormat).getString());
        }
        sws_setColorspaceDetails(sws, sws_getCoefficients(SWS_CS_DEFAULT), 1,
                sws_getCoefficients(swsSpace), fullRange ? 1 : 0, 0, 1 << 16, 1 << 16);
        this.srcStride = (3 * encWidth + 63) & ~63;
        this.staging = new byte[srcStride * encHeight];
        long srcSize = (long) srcStride * encHeight;
        this.src = new BytePointer(av_malloc(srcSize)).capacity(srcSize);
        this.dstSize = av_image_get_buffer_size(dstFormat, encWidth, encHeight, 1);
        this.dst = new BytePointer(av_malloc(dstSize)).capacity(dstSize);
        for (int i = 0; i < 4; i++) {
            srcData.put(i, (Pointer) null);
            srcLinesize.put(i, 0);
            dstData.put(i, (Pointer) null);
            dstLinesize.put(i, 0);
        }
        srcData.put(0, src);
        srcLinesize.put(0, srcStride);
        av_image_fill_arrays(dstData, dstLinesize, dst, dstFormat, encWidth, encHeight, 1);
    }

    int encodedWidth() {
        return encWidth;
    }

    int encodedHeight() {
        return encHeight;
    }

    int pixelFormat() {
        return dstFormat;
    }

    /** Converts one frame; the returned buffer is reused by the next call. */
    ByteBuffer convert(float[] rgb) {
        int plane = width * height;
        for (int y = 0; y < encHeight; y++) {
            int sy = Math.min(y, height - 1);
            int row = y * srcStride;
            for (int x = 0; x < encWidth; x++) {
                int i = sy * width + Math.min(x, width - 1);
                int p = row + 3 * x;
                staging[p] = Pixels.quantize(rgb[i]);
                staging[p + 1] = Pixels.quantize(rgb[plane + i]);
                staging[p + 2] = Pixels.quantize(rgb[2 * plane + i]);
            }
        }
        src.position(0).put(staging, 0, staging.length);
        sws_scale(sws, srcData, srcLinesize, 0, encHeight, dstData, dstLinesize);
        return dst.position(0).limit(dstSize).asBuffer();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sws_freeContext(sws);
        av_free(src);
        av_free(dst);
        srcData.close();
        srcLinesize.close();
        dstData.close();
        dstLinesize.close();
    }
}
