package org.daair.stream.sink;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamSinkTest {

    @TempDir
    Path dir;

    static final StreamInfo VIDEO = new StreamInfo("s", "in.mp4", 64, 48, 25, 1, 1, 12800, 1, 1, 1, 1, 0, 10, false, "h264");

    @Test
    void formatMapping() {
        assertEquals("flv", StreamSink.formatFor("rtmp://live.example.com/app/key"));
        assertEquals("flv", StreamSink.formatFor("rtmps://live.example.com/app/key"));
        assertEquals("mpegts", StreamSink.formatFor("srt://127.0.0.1:9000?mode=caller"));
        assertEquals("mpegts", StreamSink.formatFor("udp://239.0.0.1:1234"));
        assertEquals("rtsp", StreamSink.formatFor("rtsp://server:8554/restored"));
        assertEquals("hls", StreamSink.formatFor("/var/www/live/index.m3u8"));
        assertEquals("hls", StreamSink.formatFor("http://origin/live/index.m3u8?token=1"));
        assertThrows(IllegalArgumentException.class, () -> StreamSink.formatFor("out.mp4"));
        assertThrows(IllegalArgumentException.class, () -> StreamSink.formatFor("ftp://x/y"));
    }

    @Test
    void redactsCredentials() {
        assertEquals("rtmp://host:1935/app", StreamSink.redact("rtmp://user:secret@host:1935/app?key=abc"));
    }

    @Test
    void sinksDispatch() throws Exception {
        try (FrameSink s = Sinks.open("-", VIDEO, null)) {
            assertInstanceOf(Y4mSink.class, s);
        }
        try (FrameSink s = Sinks.open("rtmp://127.0.0.1:1/app/key", VIDEO, null)) {
            assertInstanceOf(StreamSink.class, s, "connects lazily, on the first frame");
            assertEquals("flv", ((StreamSink) s).muxer());
        }
        try (FrameSink s = Sinks.open(dir.toString(), VIDEO, null)) {
            assertInstanceOf(ImageSink.class, s, "existing folder");
        }
        try (FrameSink s = Sinks.open(dir.resolve("a.png").toString(), VIDEO, null)) {
            assertInstanceOf(ImageSink.class, s);
        }
        try (FrameSink s = Sinks.open(dir.resolve("a.mkv").toString(), VIDEO, null)) {
            assertInstanceOf(VideoFileSink.class, s);
        }
        try (FrameSink s = Sinks.open(dir.resolve("new-folder").toString(), StreamInfo.images("i", "x", 1), null)) {
            assertInstanceOf(ImageSink.class, s, "images in, no extension");
        }
        try (FrameSink s = Sinks.open("file://" + dir.resolve("b.mp4"), VIDEO, null)) {
            assertInstanceOf(VideoFileSink.class, s, "file:// is a local path");
        }
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> Sinks.open("ftp://host/x.mp4", VIDEO, null));
        assertTrue(e.getMessage().contains("not a live output"), e.getMessage());
    }

    @Test
    void writesHlsLocally() throws Exception {
        Path playlist = dir.resolve("live/index.m3u8");
        float[] px = new float[3 * 64 * 48];
        try (StreamSink sink = new StreamSink(playlist.toString(), VIDEO, SinkOptions.defaults())) {
            for (int i = 0; i < 20; i++) {
                java.util.Arrays.fill(px, i / 20f);
                sink.write(new Frame("s", i, 1_000_000 + i * 40_000L, 64, 48, px.clone(), null, null));
            }
            sink.finish();
        }
        String m3u8 = Files.readString(playlist);
        assertTrue(m3u8.contains("#EXTM3U") && m3u8.contains("#EXT-X-ENDLIST"), m3u8);
        try (Stream<Path> s = Files.list(playlist.getParent())) {
            assertTrue(s.anyMatch(p -> p.toString().endsWith(".ts")), "segments written");
        }
    }
}
