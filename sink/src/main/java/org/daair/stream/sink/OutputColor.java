package org.daair.stream.sink;

import static org.bytedeco.ffmpeg.global.swscale.*;

import java.util.Map;
import java.util.TreeMap;

import org.daair.stream.common.StreamInfo;

/**
 * The colour tags a video output gets and the YUV matrix/range used to produce it.
 *
 * <p>The rule mirrors the ingest side's YUV-to-RGB conversion exactly (same matrix heuristic for
 * untagged video, limited range unless the source said full), so that decode followed by encode
 * does not shift colours. Tags are passed through unchanged, "unspecified" included, except for
 * RGB sources (image sequences): their YUV output is tagged with the matrix and range we chose.
 *
 * @param primaries   AVCOL_PRI_*
 * @param transfer    AVCOL_TRC_*
 * @param space       AVCOL_SPC_*
 * @param range       AVCOL_RANGE_*
 * @param swsSpace    swscale SWS_CS_* table used for the RGB to YUV matrix
 * @param fullRange   whether the YUV samples use the full 0..255 range
 */
record OutputColor(int primaries, int transfer, int space, int range, int swsSpace, boolean fullRange) {

    static final int UNSPECIFIED = 2;     // AVCOL_PRI/TRC/SPC_UNSPECIFIED
    static final int RANGE_UNSPECIFIED = 0;
    static final int RANGE_MPEG = 1;
    static final int RANGE_JPEG = 2;
    static final int SPC_RGB = 0;

    /** Same mapping as the ingest module's YuvToRgb.swsColorspace; keep the two in sync. */
    static int swsColorspace(int avcolSpace, int height) {
        switch (avcolSpace) {
            case 1: return SWS_CS_ITU709;
            case 4: return SWS_CS_FCC;
            case 5:
            case 6: return SWS_CS_ITU601;
            case 7: return SWS_CS_SMPTE240M;
            case 9:
            case 10: return SWS_CS_BT2020;
            default: return height >= 720 ? SWS_CS_ITU709 : SWS_CS_ITU601;
        }
    }

    static OutputColor forOutput(StreamInfo info, int height) {
        int sws = swsColorspace(info.colorSpace(), height);
        if (info.colorSpace() == SPC_RGB) {
            // RGB input (images): YUV output in limited range, tagged with the matrix we used.
            int spc = sws == SWS_CS_ITU709 ? 1 : 6;
            return new OutputColor(info.colorPrimaries(), info.colorTransfer(), spc, RANGE_MPEG, sws, false);
        }
        boolean full = info.colorRange() == RANGE_JPEG;
        return new OutputColor(info.colorPrimaries(), info.colorTransfer(), info.colorSpace(), info.colorRange(), sws, full);
    }

    /**
     * AVCodecContext options that carry the tags into the encoder (bitstream VUI) and, through
     * avcodec_parameters_from_context, into the container. Unspecified values are left out so the
     * encoder defaults apply.
     */
    Map<String, String> codecOptions() {
        Map<String, String> m = new TreeMap<>();
        if (primaries != UNSPECIFIED && primaries > 0) {
            m.put("color_primaries", Integer.toString(primaries));
        }
        if (transfer != UNSPECIFIED && transfer > 0) {
            m.put("color_trc", Integer.toString(transfer));
        }
        if (space != UNSPECIFIED) {
            m.put("colorspace", Integer.toString(space));
        }
        if (range != RANGE_UNSPECIFIED) {
            m.put("color_range", Integer.toString(range));
        }
        return m;
    }
}
