package org.daair.stream.sink;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

class EncodersTest {

    @Test
    void picksTheFirstAvailable() throws Exception {
        assertEquals("mpeg4", Encoders.pick(List.of("no-such-encoder", "mpeg4", "ffv1")));
        IOException e = assertThrows(IOException.class, () -> Encoders.pick(List.of("no-such-encoder")));
        assertTrue(e.getMessage().contains("no-such-encoder"));
    }

    @Test
    void defaultChains() throws Exception {
        String h264 = Encoders.pick(Encoders.H264_CHAIN);
        assertTrue(List.of("libx264", "libopenh264", "mpeg4").contains(h264));
        List<String> mp4 = Encoders.candidates("mp4", SinkOptions.defaults());
        assertEquals(h264, mp4.get(0));
        assertTrue(mp4.contains("mpeg4"));
        assertFalse(Encoders.candidates("flv", SinkOptions.defaults()).contains("mpeg4"), "FLV cannot carry MPEG-4 part 2");
        assertEquals(List.of("ffv1"), Encoders.candidates("matroska", SinkOptions.defaults().withLossless(true)));
        assertThrows(IOException.class, () -> Encoders.candidates("mp4", SinkOptions.defaults().withLossless(true)));
        List<String> asked = Encoders.candidates("mp4", SinkOptions.defaults().withEncoder("mpeg4"));
        assertEquals("mpeg4", asked.get(0));
        List<String> missing = Encoders.candidates("mp4", SinkOptions.defaults().withEncoder("no-such-encoder"));
        assertFalse(missing.contains("no-such-encoder"));
    }

    @Test
    void autoBitrateIsBounded() {
        assertEquals(500_000, Encoders.autoBitrate(160, 96, 25));
        long hd = Encoders.autoBitrate(1920, 1080, 30);
        assertTrue(hd > 10_000_000 && hd < 15_000_000, Long.toString(hd));
    }
}
