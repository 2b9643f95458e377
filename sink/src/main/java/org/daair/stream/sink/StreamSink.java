package org.daair.stream.sink;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;

/**
 * Live output to a network URL or an HLS playlist.
 *
 * <table>
 *   <caption>URL to FFmpeg muxer</caption>
 *   <tr><th>output</th><th>muxer</th></tr>
 *   <tr><td>rtmp://, rtmps://</td><td>flv</td></tr>
 *   <tr><td>srt://, udp://, tcp://, rtp://</td><td>mpegts</td></tr>
 *   <tr><td>rtsp://, rtsps://</td><td>rtsp (publishing to a server, over TCP)</td></tr>
 *   <tr><td>any path or URL ending in .m3u8</td><td>hls (2 s segments next to the playlist)</td></tr>
 * </table>
 *
 * Timestamps start at 0 with the first frame, the GOP is 2 s so that viewers can join, and x264
 * runs with {@code tune=zerolatency}. Audio is not forwarded (there is no file to copy it from
 * afterwards). {@link #close()} without {@link #finish()} just disconnects: what was sent is gone.
 */
public final class StreamSink implements FrameSink {

    private final String url;
    private final String muxer;
    private final FrameEncoder encoder;
    private boolean finished;
    private boolean closed;

    public StreamSink(String url, StreamInfo info, SinkOptions opts) throws IOException {
        this.url = url;
        this.muxer = formatFor(url);
        SinkOptions o = opts == null ? SinkOptions.defaults() : opts;
        if (muxer.equals("hls") && !url.contains("://")) {
            // The HLS muxer writes the playlist and segments itself but does not create the folder.
            java.nio.file.Path dir = java.nio.file.Path.of(url).toAbsolutePath().getParent();
            VideoFileSink.ensureWritableDirectory(dir, dir.resolve(".daair-write-test.part"));
        }
        this.encoder = new FrameEncoder(url, muxer, info, o, Encoders.candidates(muxer, o), true, muxerOptions(muxer),
                redact(url));
    }

    /**
     * The FFmpeg muxer for a live output.
     *
     * @throws IllegalArgumentException for outputs that are not live streams
     */
    public static String formatFor(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        String path = lower;
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        if (path.endsWith(".m3u8")) {
            return "hls";
        }
        String scheme = lower.contains("://") ? lower.substring(0, lower.indexOf("://")) : "";
        switch (scheme) {
            case "rtmp":
            case "rtmps":
            case "rtmpt":
            case "rtmpe":
                return "flv";
            case "srt":
            case "udp":
            case "tcp":
            case "rtp":
                return "mpegts";
            case "rtsp":
            case "rtsps":
                return "rtsp";
            default:
                throw new IllegalArgumentException("'" + url + "' is not a live output: use rtmp://, srt://, udp://, rtsp:// or a .m3u8 playlist");
        }
    }

    static Map<String, String> muxerOptions(String muxer) {
        Map<String, String> m = new LinkedHashMap<>();
        switch (muxer) {
            case "rtsp":
                m.put("rtsp_transport", "tcp");
                break;
            case "hls":
                m.put("hls_time", "2");
                m.put("hls_list_size", "0");
                m.put("hls_flags", "independent_segments");
                break;
            case "flv":
                m.put("flvflags", "no_duration_filesize"); // a live FLV cannot seek back to patch them
                break;
            default:
                break;
        }
        return m;
    }

    /** The muxer chosen for the URL. */
    public String muxer() {
        return muxer;
    }

    @Override
    public void write(Frame f) throws IOException {
        if (finished || closed) {
            throw new IllegalStateException("stream " + url + " is already " + (finished ? "finished" : "closed"));
        }
        encoder.write(f);
    }

    @Override
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        encoder.finish();
        finished = true;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!finished) {
            encoder.abort();
        }
    }

    /** The URL for messages, without the user:password or query string a URL may carry. */
    static String redact(String url) {
        try {
            URI u = URI.create(url);
            return u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + u.getPath();
        } catch (RuntimeException e) {
            return url;
        }
    }
}
