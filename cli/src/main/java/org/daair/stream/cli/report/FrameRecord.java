package org.daair.stream.cli.report;

/**
 * One written frame, as the report charts it.
 *
 * @param seq        position in the stream
 * @param name       the image's file name (folders of images), or null
 * @param route      the degradation it was restored for, or {@code passthrough}
 * @param confidence the classifier's probability of that degradation; NaN when no classifier ran
 */
public record FrameRecord(long seq, String name, String route, double confidence) {
}
