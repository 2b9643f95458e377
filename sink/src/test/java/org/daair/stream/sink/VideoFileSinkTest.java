package org.daair.stream.sink;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.ingest.FFmpegSource;
import org.daair.stream.ingest.FrameSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoFileSinkTest {

    @TempDir
    static Path dir;
    static Path clip;
    static TestClips.Decoded source;

    @BeforeAll
    static void makeClip() throws Exception {
        // 20 frames at 25 fps = 0.8 s of video; 0.6 s of AAC so that every audio packet lies
        // inside the video's time span and all of them must be copied.
        clip = TestClips.clip(dir.resolve("in.mp4"), 20, 160, 96, 25, 0.6, 0);
        source = TestClips.decode(clip);
    }

    /** Decodes {@code in} and encodes it to {@code out} as the pipeline would, minus restoration. */
    static String transcode(Path in, Path out, SinkOptions opts, int maxFrames) throws Exception {
        try (FrameSource src = new FFmpegSource(in.toString(), "t");
             VideoFileSink sink = new VideoFileSink(out, src.info(), opts)) {
            Frame f;
            int n = 0;
            while (n < maxFrames && (f = src.next()) != null) {
                sink.write(f);
                n++;
            }
            sink.finish();
            return sink.encoderName();
        }
    }

    private static List<Path> leftovers(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
        }
    }

    @Test
    void roundTripKeepsTimingColourAudioAndPixels() throws Exception {
        Path out = dir.resolve("out.mp4");
        String encoder = transcode(clip, out, SinkOptions.defaults().withBitrate(4_000_000).withQuality(2), Integer.MAX_VALUE);
        assertTrue(List.of("libx264", "libopenh264", "mpeg4").contains(encoder), encoder);
        assertTrue(Files.size(out) > 0);
        assertEquals(List.of(), leftovers(dir), "temporary files removed");

        TestClips.Decoded result = TestClips.decode(out);
        StreamInfo in = source.info();
        StreamInfo info = result.info();
        assertEquals(source.frames().size(), result.frames().size(), "same frame count");
        assertEquals(in.frameRateNum(), info.frameRateNum(), "same frame rate");
        assertEquals(in.frameRateDen(), info.frameRateDen(), "same frame rate");
        long frameUs = 1_000_000L * in.frameRateDen() / in.frameRateNum();
        long lastIn = source.frames().get(source.frames().size() - 1).ptsMicros();
        long lastOut = result.frames().get(result.frames().size() - 1).ptsMicros();
        assertEquals(lastIn, lastOut, frameUs, "same duration within one frame");
        for (int i = 0; i < result.frames().size(); i++) {
            assertEquals(source.frames().get(i).ptsMicros(), result.frames().get(i).ptsMicros(), frameUs / 2, "pts of frame " + i);
        }

        assertEquals(1, info.colorPrimaries(), "bt709 primaries kept");
        assertEquals(1, info.colorTransfer(), "bt709 transfer kept");
        assertEquals(1, info.colorSpace(), "bt709 matrix kept");
        assertEquals(1, info.colorRange(), "tv range kept");
        assertEquals(0, info.rotationDegrees());

        assertTrue(info.hasAudio(), "audio copied");
        List<byte[]> audioIn = TestClips.audioPackets(clip);
        List<byte[]> audioOut = TestClips.audioPackets(out);
        assertFalse(audioIn.isEmpty());
        assertEquals(audioIn.size(), audioOut.size(), "same number of audio packets");
        for (int i = 0; i < audioIn.size(); i++) {
            assertArrayEquals(audioIn.get(i), audioOut.get(i), "audio packet " + i + " bit-exact");
        }

        double total = 0;
        for (int i = 0; i < result.frames().size(); i++) {
            double e = TestClips.mae(source.frames().get(i), result.frames().get(i));
            assertTrue(e < 0.05, "frame " + i + " error " + e);
            total += e;
        }
        double mean = total / result.frames().size();
        assertTrue(mean < 0.03, "mean abs error " + mean);
    }

    @Test
    void rotationIsKept() throws Exception {
        // with audio, so the rotation also has to survive the stream-copy pass
        Path rotated = TestClips.clip(dir.resolve("rot.mp4"), 4, 64, 48, 25, 0.1, 90);
        Path out = dir.resolve("rot-out.mp4");
        transcode(rotated, out, SinkOptions.defaults(), Integer.MAX_VALUE);
        TestClips.Decoded result = TestClips.decode(out);
        assertEquals(90, result.info().rotationDegrees(), 1e-6);
        assertTrue(result.info().hasAudio());
        assertEquals(4, result.frames().size());
    }

    @Test
    void oddSizeIsPaddedToEven() throws Exception {
        StreamInfo info = new StreamInfo("o", "generated", 33, 17, 25, 1, 1, 25, 2, 2, 2, 0, 0, 3, false, "none");
        Path out = dir.resolve("odd.mp4");
        try (VideoFileSink sink = new VideoFileSink(out, info, SinkOptions.defaults())) {
            for (int i = 0; i < 3; i++) {
                float[] px = new float[3 * 33 * 17];
                java.util.Arrays.fill(px, 0.5f);
                sink.write(new Frame("o", i, i * 40_000L, 33, 17, px, null, null));
            }
            sink.finish();
        }
        TestClips.Decoded result = TestClips.decode(out);
        assertEquals(3, result.frames().size());
        assertEquals(34, result.info().width());
        assertEquals(18, result.info().height());
        assertEquals(0.5f, result.frames().get(0).rgb()[33 * 17 / 2], 0.02f);
    }

    @Test
    void imagesBecomeAVideoAtTheOptionFrameRate() throws Exception {
        StreamInfo info = StreamInfo.images("i", dir.toString(), 5);
        Path out = dir.resolve("slideshow.mp4");
        try (VideoFileSink sink = new VideoFileSink(out, info, SinkOptions.defaults().withFrameRate(10))) {
            for (int i = 0; i < 5; i++) {
                float[] px = new float[3 * 32 * 32];
                java.util.Arrays.fill(px, i / 5f);
                // images all carry pts 0: the sink numbers them by arrival
                sink.write(new Frame("i", i, 0, 32, 32, px, null, "img" + i + ".png"));
            }
            sink.finish();
        }
        TestClips.Decoded result = TestClips.decode(out);
        assertEquals(5, result.frames().size());
        assertEquals(10, result.info().frameRateNum());
        assertEquals(1, result.info().frameRateDen());
        assertEquals(400_000, result.frames().get(4).ptsMicros());
        assertEquals(1, result.info().colorRange(), "RGB input: limited-range YUV, tagged");
        assertEquals(6, result.info().colorSpace(), "RGB input below 720 lines: BT.601 matrix, tagged");
    }

    @Test
    void losslessMkvWithAudio() throws Exception {
        assumeTrue(Encoders.isAvailable("ffv1"));
        Path out = dir.resolve("lossless.mkv");
        String encoder = transcode(clip, out, SinkOptions.defaults().withLossless(true), Integer.MAX_VALUE);
        assertEquals("ffv1", encoder);
        TestClips.Decoded result = TestClips.decode(out);
        assertEquals(20, result.frames().size());
        assertEquals(25, result.info().frameRateNum());
        assertEquals(1, result.info().colorSpace());
        for (int i = 0; i < 20; i++) {
            double e = TestClips.mae(source.frames().get(i), result.frames().get(i));
            assertTrue(e < 0.006, "frame " + i + " error " + e + " (only 8-bit 4:4:4 rounding expected)");
        }
        List<byte[]> audioIn = TestClips.audioPackets(clip);
        List<byte[]> audioOut = TestClips.audioPackets(out);
        assertEquals(audioIn.size(), audioOut.size());
        for (int i = 0; i < audioIn.size(); i++) {
            assertArrayEquals(audioIn.get(i), audioOut.get(i));
        }
    }

    @Test
    void partialRunTrimsAudioToTheVideo() throws Exception {
        Path sample = TestClips.sampleVideo();
        assumeTrue(sample != null, "shared sample video not present");
        Path out = dir.resolve("partial.mp4");
        transcode(sample, out, SinkOptions.defaults(), 10); // 10 frames at 12.5 fps = 0.8 s
        TestClips.Decoded result = TestClips.decode(out);
        assertEquals(10, result.frames().size());
        assertEquals(25, result.info().frameRateNum());
        assertEquals(2, result.info().frameRateDen());
        assertEquals(6, result.info().colorSpace(), "smpte170m kept");
        int packets = TestClips.audioPackets(out).size();
        // 48 kHz AAC: 1024 samples per packet, so 0.8 s is about 38 packets (not the whole 30 s)
        assertTrue(packets >= 36 && packets <= 40, "audio trimmed to the video: " + packets + " packets");
    }

    @Test
    void abortLeavesNothing() throws Exception {
        Path out = dir.resolve("aborted.mp4");
        try (FrameSource src = new FFmpegSource(clip.toString(), "t");
             VideoFileSink sink = new VideoFileSink(out, src.info(), SinkOptions.defaults())) {
            for (int i = 0; i < 5; i++) {
                sink.write(src.next());
            }
            assertTrue(Files.exists(dir.resolve(".aborted.mp4.video.part")), "encoder writes under a temporary name");
            assertFalse(Files.exists(out));
        }
        assertFalse(Files.exists(out), "nothing at the output path");
        assertEquals(List.of(), leftovers(dir), "temporary files removed");
    }

    @Test
    void unwritableOutputDirectory() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        Path out = file.resolve("sub/out.mp4");
        IOException e = assertThrows(IOException.class, () -> new VideoFileSink(out, source.info(), SinkOptions.defaults()));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void unwritableByPermissions() throws Exception {
        assumeTrue(!"root".equals(System.getProperty("user.name")), "root ignores permission bits");
        Path ro = Files.createDirectory(dir.resolve("readonly"));
        assumeTrue(ro.toFile().setWritable(false, false));
        try {
            IOException e = assertThrows(IOException.class,
                    () -> new VideoFileSink(ro.resolve("out.mp4"), source.info(), SinkOptions.defaults()));
            assertTrue(e.getMessage().contains(ro.toString()) && e.getMessage().contains("not writable"), e.getMessage());
        } finally {
            ro.toFile().setWritable(true, false);
        }
    }

    @Test
    void finishWithoutFramesFails() throws Exception {
        Path out = dir.resolve("empty.mp4");
        try (VideoFileSink sink = new VideoFileSink(out, source.info(), SinkOptions.defaults())) {
            IOException e = assertThrows(IOException.class, sink::finish);
            assertTrue(e.getMessage().contains("no frame"), e.getMessage());
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void unknownExtension() {
        IOException e = assertThrows(IOException.class,
                () -> new VideoFileSink(dir.resolve("out.notavideo"), source.info(), SinkOptions.defaults()));
        assertTrue(e.getMessage().contains("extension"), e.getMessage());
    }

    @Test
    void encoderFallsBackWhenTheAskedOneCannotOpen() throws Exception {
        // NVENC is compiled into FFmpeg but opens only with an NVIDIA driver; without one the
        // sink must fall back to the default chain. With a GPU, NVENC itself is fine.
        Path out = dir.resolve("fallback.mp4");
        String encoder = transcode(clip, out, SinkOptions.defaults().withEncoder("h264_nvenc"), 3);
        assertNotNull(encoder);
        assertEquals(3, TestClips.decode(out).frames().size());
    }
}
