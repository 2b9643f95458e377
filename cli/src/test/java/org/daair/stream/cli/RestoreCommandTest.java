package org.daair.stream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.ingest.FFmpegSource;
import org.daair.stream.ingest.Y4mSource;
import org.daair.stream.sink.Y4mSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ./daair restore end to end on real inputs: the shipped graphs, real decoding and encoding. */
class RestoreCommandTest {

    @Test
    void restoresAFolderOfImagesIntoTheSameNames(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("restored");
        CliTestSupport.Result r = CliTestSupport.run("restore", CliTestSupport.samples().resolve("frames").toString(),
                "-o", out.toString(), "--task", "auto", "--model", CliTestSupport.models().toString(), "--no-progress");
        assertEquals(0, r.exit(), r.stderr());
        List<String> in;
        try (Stream<Path> s = Files.list(CliTestSupport.samples().resolve("frames"))) {
            in = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        List<String> got;
        try (Stream<Path> s = Files.list(out)) {
            got = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(in, got);
        for (String name : in) {
            BufferedImage a = ImageIO.read(CliTestSupport.samples().resolve("frames").resolve(name).toFile());
            BufferedImage b = ImageIO.read(out.resolve(name).toFile());
            assertEquals(a.getWidth(), b.getWidth());
            assertEquals(a.getHeight(), b.getHeight());
            assertNotEquals(a.getRGB(100, 100, 1, 1, null, 0, 1)[0] == b.getRGB(100, 100, 1, 1, null, 0, 1)[0]
                    && a.getRGB(200, 150, 1, 1, null, 0, 1)[0] == b.getRGB(200, 150, 1, 1, null, 0, 1)[0]
                    && a.getRGB(300, 50, 1, 1, null, 0, 1)[0] == b.getRGB(300, 50, 1, 1, null, 0, 1)[0], true, name + " unchanged");
        }
        assertTrue(r.stderr().contains("frames per degradation"), r.stderr());
    }

    @Test
    void restoresAVideoKeepingFramesDurationColourTagsAndAudio(@TempDir Path tmp) throws Exception {
        Path src = CliTestSupport.samples().resolve("car-park-rain.mp4");
        Path out = tmp.resolve("restored.mp4");
        CliTestSupport.Result r = CliTestSupport.run("restore", src.toString(), "-o", out.toString(),
                "--model", CliTestSupport.models().toString(), "--no-progress");
        assertEquals(0, r.exit(), r.stderr());
        StreamInfo a;
        StreamInfo b;
        long na = 0;
        long nb = 0;
        long lastA = 0;
        long lastB = 0;
        try (FFmpegSource s = new FFmpegSource(src.toString(), "a"); FFmpegSource t = new FFmpegSource(out.toString(), "b")) {
            a = s.info();
            b = t.info();
            for (Frame f; (f = s.next()) != null; na++) {
                lastA = f.ptsMicros();
            }
            for (Frame f; (f = t.next()) != null; nb++) {
                lastB = f.ptsMicros();
            }
        }
        assertEquals(na, nb, "frame count");
        assertEquals(a.frameRate(), b.frameRate(), 1e-6);
        assertTrue(Math.abs(lastA - lastB) <= 1_000_000 / a.frameRate() / 2, "last pts " + lastA + " vs " + lastB);
        assertEquals(a.colorPrimaries(), b.colorPrimaries());
        assertEquals(a.colorTransfer(), b.colorTransfer());
        assertEquals(a.colorSpace(), b.colorSpace());
        assertEquals(a.colorRange(), b.colorRange());
        assertTrue(b.hasAudio());
        assertEquals(audioPayloads(src), audioPayloads(out), "audio copied bit-exactly");
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(out), s.toList(), "no temporary files left");
        }
    }

    static List<String> audioPayloads(Path file) throws Exception {
        List<String> out = new ArrayList<>();
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile())) {
            avutil.av_log_set_level(avutil.AV_LOG_ERROR);
            g.start();
            int audio = g.getAudioStream();
            for (AVPacket p; (p = g.grabPacket()) != null; ) {
                if (p.stream_index() == audio && p.size() > 0) {
                    byte[] d = new byte[p.size()];
                    p.data().get(d);
                    out.add(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(d)));
                }
                org.bytedeco.ffmpeg.global.avcodec.av_packet_unref(p);
            }
        }
        return out;
    }

    @Test
    void worksInAY4mPipe(@TempDir Path tmp) throws Exception {
        // y4m in (made from the sample's first frames), through a real child process's stdin/stdout
        ByteArrayOutputStream y4m = new ByteArrayOutputStream();
        int n = 0;
        try (FFmpegSource s = new FFmpegSource(CliTestSupport.samples().resolve("car-park-rain.mp4").toString(), "p")) {
            StreamInfo info = s.info();
            try (Y4mSink sink = new Y4mSink(y4m, info)) {
                for (Frame f; n < 4 && (f = s.next()) != null; n++) {
                    sink.write(f);
                }
                sink.finish();
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "restore", "-", "-o", "-", "--task", "derain", "--model", CliTestSupport.models().toString())
                .redirectError(tmp.resolve("stderr.txt").toFile()).start();
        Thread feeder = new Thread(() -> {
            try (OutputStream os = p.getOutputStream()) {
                os.write(y4m.toByteArray());
            } catch (IOException ignored) {
                // the child reports its own errors
            }
        });
        feeder.start();
        byte[] restored = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("stderr.txt")));
        try (Y4mSource back = new Y4mSource(new ByteArrayInputStream(restored), "back")) {
            int count = 0;
            for (Frame f; (f = back.next()) != null; count++) {
                assertEquals(768, f.width());
                assertEquals(432, f.height());
            }
            assertEquals(n, count);
            assertEquals(12.5, back.info().frameRate(), 1e-9);
        }
    }

    @Test
    void badInputsGiveOneLineErrorsAndLeaveNothing(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out.mp4");
        Path empty = Files.createFile(tmp.resolve("empty.mp4"));
        Path text = Files.writeString(tmp.resolve("notes.mp4"), "this is not a video\n".repeat(50));
        byte[] full = Files.readAllBytes(CliTestSupport.samples().resolve("car-park-rain.mp4"));
        Path truncated = Files.write(tmp.resolve("truncated.mp4"), java.util.Arrays.copyOf(full, full.length / 3));
        Path absurd = Files.writeString(tmp.resolve("absurd.y4m"), "YUV4MPEG2 W99999 H99999 F25:1 C420jpeg\nFRAME\n");
        Path deep = Files.writeString(tmp.resolve("deep.y4m"), "YUV4MPEG2 W64 H48 F25:1 C420p10\nFRAME\n");
        String[][] cases = {
                {absurd.toString(), out.toString()},
                {deep.toString(), out.toString()},
                {tmp.resolve("missing.mp4").toString(), out.toString()},
                {empty.toString(), out.toString()},
                {text.toString(), out.toString()},
                {truncated.toString(), out.toString()},
                {CliTestSupport.samples().resolve("car-park-rain.mp4").toString(), "/proc/daair-no-such-dir/out.mp4"},
        };
        for (String[] c : cases) {
            CliTestSupport.Result r = CliTestSupport.run("restore", c[0], "-o", c[1], "--model", CliTestSupport.models().toString(), "--no-progress");
            assertNotEquals(0, r.exit(), "exit code for " + c[0]);
            String err = r.stderr().strip();
            assertTrue(err.startsWith("daair: error: "), err);
            assertEquals(1, err.lines().filter(l -> l.startsWith("daair: error")).count(), err);
            assertFalse(Files.exists(out), "output left behind for " + c[0]);
            try (Stream<Path> s = Files.list(tmp)) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("out.mp4")), "partial output for " + c[0]);
            }
        }
        CliTestSupport.Result r = CliTestSupport.run("restore", CliTestSupport.samples().resolve("frames").toString(), "-o", tmp.resolve("x").toString(),
                "--task", "sharpen", "--model", CliTestSupport.models().toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.stderr().contains("use one of auto, denoise, derain, dehaze, deblur, lowlight"), r.stderr());
    }

    @Test
    void helpExplains() {
        String usage = new picocli.CommandLine(new Main()).getSubcommands().get("restore").getUsageMessage();
        for (String must : new String[] {"--task", "--model", "--device", "--config", "YUV4MPEG2", "temporary name"}) {
            assertTrue(usage.contains(must), "help lacks " + must);
        }
    }
}
