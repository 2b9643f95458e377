package org.daair.stream.kafka;

import org.daair.stream.common.StreamInfo;

/**
 * What a record carries about a frame besides the {@link org.daair.stream.common.Frame} itself:
 * the source's time base and colour tags (so a sink in another process can write the stream as the
 * source was) and a trace id that follows the frame through every stage.
 *
 * <p>Colour values are FFmpeg's enum values as in {@link StreamInfo}; 2 (primaries, transfer,
 * space) and 0 (range) mean unspecified.
 *
 * @param timeBaseNum    numerator of the source time base (pts stay in microseconds; this is
 *                       informational, for sinks that rescale to the source's ticks)
 * @param timeBaseDen    denominator of the source time base
 * @param colorPrimaries AVCOL_PRI_*
 * @param colorTransfer  AVCOL_TRC_*
 * @param colorSpace     AVCOL_SPC_*
 * @param colorRange     AVCOL_RANGE_*
 * @param traceId        opaque id propagated from stage to stage, or null
 */
public record FrameMeta(int timeBaseNum, int timeBaseDen, int colorPrimaries, int colorTransfer,
                        int colorSpace, int colorRange, String traceId) {

    /** Microsecond time base, no colour tags, no trace id. */
    public static final FrameMeta UNSPECIFIED = new FrameMeta(1, 1_000_000, 2, 2, 2, 0, null);

    public FrameMeta {
        if (timeBaseNum < 0 || timeBaseDen < 0) {
            throw new IllegalArgumentException("negative time base " + timeBaseNum + "/" + timeBaseDen);
        }
    }

    /** The time base and colour tags of a source stream, without a trace id. */
    public static FrameMeta of(StreamInfo info) {
        return of(info, null);
    }

    public static FrameMeta of(StreamInfo info, String traceId) {
        return new FrameMeta(info.timeBaseNum(), info.timeBaseDen(), info.colorPrimaries(), info.colorTransfer(),
                info.colorSpace(), info.colorRange(), traceId);
    }

    public FrameMeta withTraceId(String id) {
        return new FrameMeta(timeBaseNum, timeBaseDen, colorPrimaries, colorTransfer, colorSpace, colorRange, id);
    }
}
