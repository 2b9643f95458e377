package org.daair.stream.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Opens the right {@link FrameSource} for a command-line input string.
 *
 * <ul>
 *   <li>{@code "-"}: a YUV4MPEG2 stream on standard input ({@code ffmpeg ... -f yuv4mpegpipe -});</li>
 *   <li>a URL with a scheme ({@code rtsp://}, {@code rtmp://}, {@code srt://}, {@code udp://},
 *       {@code http(s)://}, {@code file:...}): {@link FFmpegSource};</li>
 *   <li>a directory: {@link ImageSource} over the images inside;</li>
 *   <li>a file with an image extension: {@link ImageSource} for that one image;</li>
 *   <li>a {@code .y4m} file: {@link Y4mSource};</li>
 *   <li>any other file: {@link FFmpegSource}.</li>
 * </ul>
 *
 * Local paths are checked first (exists, readable, not empty) so that the user gets a clear
 * one-line {@link SourceException} instead of an FFmpeg error code.
 */
public final class Sources {

    /** Extensions read by {@link ImageSource} (through ImageIO), lower case, without the dot. */
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "tif", "tiff");

    /**
     * URL schemes handed to FFmpeg. Anything else (gopher://, ftp://, concat:, ...) is refused
     * before FFmpeg sees it: FFmpeg speaks many more protocols than a camera input needs, and
     * some of them read local files or open arbitrary connections.
     */
    public static final Set<String> URL_SCHEMES = Set.of("rtsp", "rtsps", "rtmp", "rtmps", "rtmpt", "rtmpe", "rtmpte",
            "rtmpts", "srt", "udp", "rtp", "tcp", "http", "https", "file");

    /** RFC 3986 scheme followed by "://"; a Windows drive letter ("C:\") does not match. */
    private static final Pattern URL = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

    private Sources() {
    }

    /**
     * Opens {@code input} as described in the class comment.
     *
     * @param input    "-", a URL, a directory or a file path
     * @param streamId the id stamped on every frame
     * @throws SourceException with a one-line explanation when the input cannot be used
     */
    public static FrameSource open(String input, String streamId) throws IOException {
        return open(input, streamId, "");
    }

    /**
     * As {@link #open(String, String)}, decoding video with {@code decoder} ("" software, "nvdec",
     * or a decoder name; see {@link FFmpegSource#open(String, String, java.time.Duration, String)}).
     */
    public static FrameSource open(String input, String streamId, String decoder) throws IOException {
        if (input == null || input.isBlank()) {
            throw new SourceException("no input given: pass a video file, an image folder, a URL or '-' for a Y4M pipe");
        }
        if (input.equals("-")) {
            return new Y4mSource(System.in, streamId, "-");
        }
        if (isUrl(input)) {
            requireSupportedScheme(input);
            return FFmpegSource.open(input, streamId, FFmpegSource.DEFAULT_READ_TIMEOUT, decoder);
        }
        Path path = toPath(input);
        if (Files.isDirectory(path)) {
            return new ImageSource(path, streamId);
        }
        checkReadableFile(path);
        String ext = extension(path);
        if (IMAGE_EXTENSIONS.contains(ext)) {
            return new ImageSource(path, streamId);
        }
        if (ext.equals("y4m")) {
            InputStream in = Files.newInputStream(path);
            try {
                return new Y4mSource(in, streamId, path.toString());
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }
        return FFmpegSource.open(input, streamId, FFmpegSource.DEFAULT_READ_TIMEOUT, decoder);
    }

    /**
     * True for inputs that are live streams rather than files: stream URLs (every supported scheme
     * but http(s) and file, which usually serve files) and capture devices ({@code /dev/video*}).
     */
    public static boolean isLive(String input) {
        if (input == null) {
            return false;
        }
        if (input.startsWith("/dev/video")) {
            return true;
        }
        if (!isUrl(input)) {
            return false;
        }
        String scheme = input.substring(0, input.indexOf("://")).toLowerCase(Locale.ROOT);
        return URL_SCHEMES.contains(scheme) && !Set.of("http", "https", "file").contains(scheme);
    }

    /** True for "scheme://..." inputs, which go to FFmpeg as they are. */
    public static boolean isUrl(String input) {
        return input != null && URL.matcher(input).matches();
    }

    /**
     * Refuses URL inputs whose scheme is not one of {@link #URL_SCHEMES}.
     *
     * @throws SourceException naming the scheme and the supported ones
     */
    public static void requireSupportedScheme(String url) throws SourceException {
        String scheme = url.substring(0, url.indexOf("://")).toLowerCase(Locale.ROOT);
        if (!URL_SCHEMES.contains(scheme)) {
            throw new SourceException("input URL scheme '" + scheme + "://' is not supported: use rtsp://, rtmp://, srt://, "
                    + "udp://, rtp://, tcp://, http(s):// or a local path");
        }
    }

    /** Lower-case extension without the dot, or "" when the name has none. */
    public static String extension(Path path) {
        Path name = path.getFileName();
        if (name == null) {
            return "";
        }
        String s = name.toString();
        int dot = s.lastIndexOf('.');
        return dot <= 0 ? "" : s.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    static Path toPath(String input) throws SourceException {
        try {
            return Path.of(input);
        } catch (InvalidPathException e) {
            throw new SourceException("input '" + input + "' is not a valid path (" + e.getReason() + ")");
        }
    }

    /**
     * The checks every local input goes through before a decoder sees it, because FFmpeg reports
     * all of these as a bare error number.
     */
    static void checkReadableFile(Path path) throws SourceException {
        if (!Files.exists(path)) {
            Path parent = path.toAbsolutePath().getParent();
            String hint = parent != null && !Files.isDirectory(parent)
                    ? " (its folder " + parent + " does not exist either)" : "";
            throw new SourceException("input '" + path + "' does not exist" + hint + ": check the path and spelling");
        }
        if (!Files.isRegularFile(path)) {
            throw new SourceException("input '" + path + "' is not a regular file: give a video file, an image or a folder of images");
        }
        if (!Files.isReadable(path)) {
            throw new SourceException("input '" + path + "' is not readable: check its permissions");
        }
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new SourceException("cannot read the size of input '" + path + "': " + e.getMessage(), e);
        }
        if (size == 0) {
            throw new SourceException("input '" + path + "' is empty (0 bytes): the copy or download probably failed; fetch it again");
        }
    }
}
