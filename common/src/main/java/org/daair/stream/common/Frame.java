package org.daair.stream.common;

import java.util.Objects;

/**
 * One video frame (or one image) travelling between stages.
 *
 * <p>Pixels are planar RGB floats in [0, 1], channel-major (R plane, G plane, B plane), which is
 * the network's NCHW layout for one image, so the engine copies nothing to build a batch.
 *
 * @param streamId   which stream the frame belongs to
 * @param seq        0-based position in the stream; the sink restores this order
 * @param ptsMicros  presentation time in microseconds (kept through restoration)
 * @param width      width in pixels
 * @param height     height in pixels
 * @param rgb        3 * width * height planar floats, or null for an end-of-stream marker
 * @param route      the degradation chosen for the frame (null until classified)
 * @param name       the source file name in image mode (null for video)
 */
public record Frame(String streamId, long seq, long ptsMicros, int width, int height, float[] rgb,
                    String route, String name) {

    public Frame {
        Objects.requireNonNull(streamId, "streamId");
        if (rgb != null && rgb.length != 3L * width * height) {
            throw new IllegalArgumentException("rgb has " + rgb.length + " floats, expected 3*" + width + "*" + height);
        }
    }

    /** The marker that closes a stream: it carries the number of frames that came before it. */
    public static Frame endOfStream(String streamId, long frameCount) {
        return new Frame(streamId, frameCount, -1, 0, 0, null, null, null);
    }

    public boolean isEndOfStream() {
        return rgb == null;
    }

    public Frame withPixels(float[] restored) {
        return new Frame(streamId, seq, ptsMicros, width, height, restored, route, name);
    }

    public Frame withRoute(String newRoute) {
        return new Frame(streamId, seq, ptsMicros, width, height, rgb, newRoute, name);
    }

    @Override
    public String toString() {
        return isEndOfStream() ? "Frame[" + streamId + " end after " + seq + "]"
                : "Frame[" + streamId + " #" + seq + " " + width + "x" + height + " pts " + ptsMicros + "us"
                + (route == null ? "" : " " + route) + (name == null ? "" : " " + name) + "]";
    }
}
