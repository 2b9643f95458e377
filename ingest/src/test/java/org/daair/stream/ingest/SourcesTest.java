package org.daair.stream.ingest;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcesTest {

    @TempDir
    Path dir;

    @Test
    void streamUrlsAndDevicesAreLiveFilesAndHttpAreNot() {
        assertTrue(Sources.isLive("rtsp://cam.local/stream"));
        assertTrue(Sources.isLive("UDP://239.0.0.1:1234"));
        assertTrue(Sources.isLive("srt://host:9000"));
        assertTrue(Sources.isLive("/dev/video0"));
        assertFalse(Sources.isLive("https://example.org/clip.mp4"));
        assertFalse(Sources.isLive("file:///tmp/clip.mp4"));
        assertFalse(Sources.isLive("gopher://host/x"));
        assertFalse(Sources.isLive("samples/car-park-rain.mp4"));
        assertFalse(Sources.isLive(null));
    }

    @Test
    void urlDetection() {
        assertTrue(Sources.isUrl("rtsp://cam.local:554/stream1"));
        assertTrue(Sources.isUrl("srt://127.0.0.1:9000?mode=listener"));
        assertTrue(Sources.isUrl("https://example.com/live.m3u8"));
        assertFalse(Sources.isUrl("/data/video.mp4"));
        assertFalse(Sources.isUrl("C:\\videos\\a.mp4"));
        assertFalse(Sources.isUrl("clip:with:colons.mp4"));
    }

    @Test
    void extensions() {
        assertEquals("mp4", Sources.extension(Path.of("/a/b.MP4")));
        assertEquals("", Sources.extension(Path.of("/a/.hidden")));
        assertEquals("", Sources.extension(Path.of("noext")));
    }

    @Test
    void y4mFileGoesToY4mSource() throws Exception {
        Path f = dir.resolve("a.y4m");
        byte[] frame = new byte[4 * 2 + 2 * 2 * 1];
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes("YUV4MPEG2 W4 H2 F25:1\nFRAME\n".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(frame);
        Files.write(f, b.toByteArray());
        try (FrameSource src = Sources.open(f.toString(), "y")) {
            assertInstanceOf(Y4mSource.class, src);
            assertEquals(f.toString(), src.info().source());
            assertNotNull(src.next());
            assertNull(src.next());
        }
    }

    @Test
    void blankInputAndDirectoryAsFile() {
        SourceException e = assertThrows(SourceException.class, () -> Sources.open(" ", "x"));
        assertTrue(e.getMessage().contains("no input"));
        SourceException e2 = assertThrows(SourceException.class, () -> new FFmpegSource(dir.toString(), "x"));
        assertTrue(e2.getMessage().contains("not a regular file"), e2.getMessage());
    }
}
