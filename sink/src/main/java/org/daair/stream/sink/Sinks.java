package org.daair.stream.sink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

import org.daair.stream.common.StreamInfo;

/**
 * Opens the right {@link FrameSink} for a command-line output string.
 *
 * <ul>
 *   <li>{@code "-"}: {@link Y4mSink} on standard output;</li>
 *   <li>a URL ({@code rtmp://}, {@code srt://}, {@code udp://}, {@code rtsp://}, ...) or any path
 *       ending in {@code .m3u8}: {@link StreamSink} (HLS for the playlist);</li>
 *   <li>an existing folder, or a path without a video extension when the input is images:
 *       {@link ImageSink} (folder mode, same names as the input);</li>
 *   <li>a path with an image extension: {@link ImageSink} (file mode);</li>
 *   <li>a {@code .y4m} path: {@link Y4mSink} into that file (committed on finish);</li>
 *   <li>anything else: {@link VideoFileSink}.</li>
 * </ul>
 */
public final class Sinks {

    static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "tif", "tiff");

    private Sinks() {
    }

    public static FrameSink open(String output, StreamInfo info, SinkOptions opts) throws IOException {
        if (output == null || output.isBlank()) {
            throw new IOException("no output given: pass a file, a folder, a URL or '-' for a Y4M pipe");
        }
        SinkOptions o = opts == null ? SinkOptions.defaults() : opts;
        if (output.equals("-")) {
            return new Y4mSink(System.out, info);
        }
        if (output.toLowerCase(Locale.ROOT).startsWith("file://")) {
            output = output.substring("file://".length()); // a local path written as a URL
        } else if (output.toLowerCase(Locale.ROOT).split("\\?")[0].endsWith(".m3u8") || isUrl(output)) {
            try {
                StreamSink.formatFor(output);
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
            return new StreamSink(output, info, o);
        }
        Path path;
        try {
            path = Path.of(output);
        } catch (InvalidPathException e) {
            throw new IOException("output '" + output + "' is not a valid path (" + e.getReason() + ")");
        }
        String ext = ImageSink.extension(path.getFileName() == null ? "" : path.getFileName().toString());
        if (Files.isDirectory(path) || (isImages(info) && ext.isEmpty())) {
            return new ImageSink(path);
        }
        if (IMAGE_EXTENSIONS.contains(ext)) {
            return new ImageSink(path);
        }
        if (ext.equals("y4m")) {
            return new Y4mFileSink(path, info);
        }
        return new VideoFileSink(path, info, o);
    }

    /** True for "scheme://..." outputs. */
    public static boolean isUrl(String s) {
        return s != null && s.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*");
    }

    /** Image inputs report no frame rate (see {@link StreamInfo#images}). */
    static boolean isImages(StreamInfo info) {
        return info.frameRateNum() <= 0;
    }
}
