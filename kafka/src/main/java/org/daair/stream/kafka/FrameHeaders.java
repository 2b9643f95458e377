package org.daair.stream.kafka;

/**
 * Header names of format version 1 (docs/frame-format.md). Every value is a UTF-8 string, numbers
 * in decimal, so that {@code kafka-console-consumer --property print.headers=true} or kcat show a
 * record readably; the few bytes this costs do not matter next to a frame.
 */
public final class FrameHeaders {

    /** Format version, {@code 1}. Readers reject records without it or with a version they do not know. */
    public static final String VERSION = "daair.v";
    /** 0-based frame index in its stream; for an end-of-stream marker, the number of frames before it. */
    public static final String SEQ = "daair.seq";
    /** Presentation time in microseconds ({@code -1} on an end-of-stream marker). */
    public static final String PTS = "daair.pts";
    /** Source time base as {@code num/den}, e.g. {@code 1/90000}. */
    public static final String TIME_BASE = "daair.tb";
    /** Width in pixels. */
    public static final String WIDTH = "daair.w";
    /** Height in pixels. */
    public static final String HEIGHT = "daair.h";
    /** Pixel layout of the payload: {@code rgbf32-planar}, {@code rgbf16-planar}, {@code rgb8-planar}, {@code rgb24}. */
    public static final String PIXEL_FORMAT = "daair.pix";
    /** Payload encoding: {@code raw-f32}, {@code raw-f16}, {@code raw-u8}, {@code png}, {@code jpeg}. */
    public static final String ENCODING = "daair.enc";
    public static final String COLOR_PRIMARIES = "daair.color.primaries";
    public static final String COLOR_TRANSFER = "daair.color.transfer";
    public static final String COLOR_SPACE = "daair.color.space";
    public static final String COLOR_RANGE = "daair.color.range";
    /** The predicted degradation (the frame's route); absent until the frame is classified. */
    public static final String ROUTE = "daair.route";
    /** Trace id; absent when none was given. */
    public static final String TRACE = "daair.trace";
    /** Source file name in image mode; absent for video. */
    public static final String NAME = "daair.name";
    /** {@code 1} on an end-of-stream marker (empty value), {@code 0} on a frame. */
    public static final String EOS = "daair.eos";

    /** Dead-letter records only: why the record could not be decoded. */
    public static final String ERROR = "daair.error";
    /** Dead-letter records only: the exception class. */
    public static final String ERROR_CLASS = "daair.error.class";
    /** Dead-letter records only: topic, partition and offset of the original record. */
    public static final String SOURCE_TOPIC = "daair.source.topic";
    public static final String SOURCE_PARTITION = "daair.source.partition";
    public static final String SOURCE_OFFSET = "daair.source.offset";

    /** The format version this code writes and the highest it reads. */
    public static final int FORMAT_VERSION = 1;

    private FrameHeaders() {
    }
}
