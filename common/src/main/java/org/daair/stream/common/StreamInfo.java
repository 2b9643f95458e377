package org.daair.stream.common;

/**
 * What the sink needs to write a stream back as the source was: geometry, rate, time base, colour
 * tags and rotation. Colour values are FFmpeg's enum values (AVCOL_PRI_*, AVCOL_TRC_*, AVCOL_SPC_*,
 * AVCOL_RANGE_*); 2 / 0 mean "unspecified" and are passed through unchanged.
 *
 * @param frameCount frames expected, or -1 when unknown (live streams)
 */
public record StreamInfo(String streamId, String source, int width, int height,
                         int frameRateNum, int frameRateDen, int timeBaseNum, int timeBaseDen,
                         int colorPrimaries, int colorTransfer, int colorSpace, int colorRange,
                         double rotationDegrees, long frameCount, boolean hasAudio, String videoCodec) {

    public double frameRate() {
        return frameRateDen == 0 ? 0 : (double) frameRateNum / frameRateDen;
    }

    /** A still image or a folder of images: no timing, no colour tags beyond sRGB. */
    public static StreamInfo images(String streamId, String source, long count) {
        return new StreamInfo(streamId, source, 0, 0, 0, 1, 1, 1_000_000, 1, 13, 0, 2, 0, count, false, "png");
    }
}
