package org.daair.stream.ingest;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FFmpegSourceTest {

    @TempDir
    static Path dir;
    static Path clip;

    @BeforeAll
    static void makeClip() throws Exception {
        clip = TestClips.clip(dir.resolve("clip.mp4"), 20, 160, 96, 25, 0.6, 0);
    }

    @Test
    void readsInfoAndFrames() throws Exception {
        try (FrameSource src = Sources.open(clip.toString(), "s1")) {
            assertInstanceOf(FFmpegSource.class, src);
            StreamInfo info = src.info();
            assertEquals(160, info.width());
            assertEquals(96, info.height());
            assertEquals(25, info.frameRateNum());
            assertEquals(1, info.frameRateDen());
            assertTrue(info.timeBaseDen() > 0);
            assertEquals(1, info.colorPrimaries(), "bt709 primaries");
            assertEquals(1, info.colorTransfer(), "bt709 transfer");
            assertEquals(1, info.colorSpace(), "bt709 matrix");
            assertEquals(1, info.colorRange(), "tv range");
            assertEquals(0, info.rotationDegrees());
            assertEquals(20, info.frameCount());
            assertTrue(info.hasAudio());
            assertEquals("mpeg4", info.videoCodec());

            long n = 0;
            long lastPts = -1;
            Frame f;
            while ((f = src.next()) != null) {
                assertEquals(n, f.seq());
                assertEquals(160, f.width());
                assertEquals(3 * 160 * 96, f.rgb().length);
                assertTrue(f.ptsMicros() > lastPts, "pts increase");
                if (n == 0) {
                    assertEquals(0, f.ptsMicros());
                    // square at x=10..39, y=20..49 is red-ish: R ~ 230/255
                    int o = 30 * 160 + 20;
                    assertEquals(230 / 255f, f.rgb()[o], 0.03f);
                    assertEquals(60 / 255f, f.rgb()[160 * 96 + o], 0.03f);
                    assertEquals(40 / 255f, f.rgb()[2 * 160 * 96 + o], 0.03f);
                }
                lastPts = f.ptsMicros();
                n++;
            }
            assertEquals(20, n);
            assertEquals(19 * 40_000, lastPts);
            assertNull(src.next(), "stays at end");
        }
    }

    @Test
    void hardwareDecoderThatCannotOpenFallsBackToSoftwareWithTheSameFrames() throws Exception {
        // without an NVIDIA driver (this machine, CI) NVDEC cannot open: the frames come from the
        // software decoder, exactly as without the option; with a driver they would come from NVDEC
        java.util.List<float[]> sw = new java.util.ArrayList<>();
        try (FrameSource src = Sources.open(clip.toString(), "sw")) {
            for (org.daair.stream.common.Frame f; (f = src.next()) != null; ) {
                sw.add(f.rgb());
            }
        }
        for (String decoder : java.util.List.of("nvdec", "no_such_decoder")) {
            java.util.List<float[]> got = new java.util.ArrayList<>();
            try (FrameSource src = Sources.open(clip.toString(), "hw", decoder)) {
                for (org.daair.stream.common.Frame f; (f = src.next()) != null; ) {
                    got.add(f.rgb());
                }
            }
            assertEquals(sw.size(), got.size(), decoder);
            if (!java.nio.file.Files.exists(Path.of("/proc/driver/nvidia/version"))) {
                for (int i = 0; i < sw.size(); i++) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(sw.get(i), got.get(i), decoder + " frame " + i);
                }
            }
        }
        assertEquals("h264_cuvid", FFmpegSource.nvdecFor("h264"));
        assertEquals("hevc_cuvid", FFmpegSource.nvdecFor("hevc"));
        assertEquals("mpeg2_cuvid", FFmpegSource.nvdecFor("mpeg2video"));
        assertEquals(null, FFmpegSource.nvdecFor("ffv1"));
    }

    @Test
    void reportsRotation() throws Exception {
        Path rotated = TestClips.clip(dir.resolve("rot.mp4"), 3, 64, 48, 25, 0, 90);
        try (FrameSource src = new FFmpegSource(rotated.toString(), "r")) {
            assertEquals(90, src.info().rotationDegrees(), 1e-6);
            assertFalse(src.info().hasAudio());
        }
    }

    @Test
    void sampleVideoInfo() throws Exception {
        Path sample = TestClips.sampleVideo();
        assumeTrue(sample != null, "shared sample video not present");
        try (FrameSource src = Sources.open(sample.toString(), "car")) {
            StreamInfo info = src.info();
            assertEquals(768, info.width());
            assertEquals(432, info.height());
            assertEquals(25, info.frameRateNum());
            assertEquals(2, info.frameRateDen());
            assertEquals(377, info.frameCount());
            assertEquals(6, info.colorSpace(), "smpte170m");
            assertEquals("h264", info.videoCodec());
            for (int i = 0; i < 3; i++) {
                Frame f = src.next();
                assertEquals(i, f.seq());
                assertEquals(i * 80_000L, f.ptsMicros());
                double mean = 0;
                for (float v : f.rgb()) {
                    mean += v;
                }
                mean /= f.rgb().length;
                assertTrue(mean > 0.05 && mean < 0.95, "a real picture, mean " + mean);
            }
        }
    }

    @Test
    void missingFile() {
        SourceException e = assertThrows(SourceException.class, () -> Sources.open(dir.resolve("nope.mp4").toString(), "x"));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void zeroByteFile() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.mp4"));
        SourceException e = assertThrows(SourceException.class, () -> Sources.open(empty.toString(), "x"));
        assertTrue(e.getMessage().contains("empty (0 bytes)"), e.getMessage());
    }

    @Test
    void textFileRenamedMp4() throws Exception {
        Path txt = Files.writeString(dir.resolve("notes.mp4"), "this is a shopping list, not a video\n".repeat(50));
        SourceException e = assertThrows(SourceException.class, () -> Sources.open(txt.toString(), "x"));
        assertTrue(e.getMessage().contains("not a video"), e.getMessage());
    }

    @Test
    void truncatedMp4WithIndexAtEnd() throws Exception {
        // JavaCV writes the index ("moov") after the media data, so the first half has no index.
        byte[] all = Files.readAllBytes(clip);
        Path half = Files.write(dir.resolve("half.mp4"), Arrays.copyOf(all, all.length / 2));
        SourceException e = assertThrows(SourceException.class, () -> Sources.open(half.toString(), "x"));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void truncatedMp4WithIndexAtStart() throws Exception {
        Path sample = TestClips.sampleVideo();
        assumeTrue(sample != null, "shared sample video not present");
        byte[] all = Files.readAllBytes(sample);
        Path half = Files.write(dir.resolve("half-sample.mp4"), Arrays.copyOf(all, all.length / 2));
        SourceException e = assertThrows(SourceException.class, () -> Sources.open(half.toString(), "x"));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void audioOnlyFileHasNoVideo() throws Exception {
        Path audio = dir.resolve("tone.m4a");
        org.bytedeco.javacv.FFmpegFrameRecorder r = new org.bytedeco.javacv.FFmpegFrameRecorder(audio.toString(), 1);
        r.setFormat("ipod");
        r.setAudioCodecName("aac");
        r.setSampleRate(44100);
        r.start();
        r.recordSamples(44100, 1, java.nio.ShortBuffer.wrap(new short[44100 / 4]));
        r.stop();
        r.release();
        SourceException e = assertThrows(SourceException.class, () -> Sources.open(audio.toString(), "x"));
        assertTrue(e.getMessage().contains("no video stream"), e.getMessage());
    }

    @Test
    void unreachableStreamFailsWithClearMessage() {
        // Nothing listens on this loopback port: the connection is refused at once.
        SourceException e = assertThrows(SourceException.class, () -> Sources.open("rtsp://127.0.0.1:9/none", "x"));
        assertTrue(e.getMessage().contains("cannot open stream"), e.getMessage());
    }
}
