package org.daair.stream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.daair.stream.common.Frame;
import org.daair.stream.config.Settings;
import org.daair.stream.ingest.FFmpegSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault test 4 of the reliability issue: a live source that disappears and comes back. A real
 * UDP sender (MPEG-TS, as a camera or encoder box sends it) streams a noisy scene for 3 s, stops
 * for 3 s (a camera reboot) and streams another noisy scene for 3 s more; {@code ./daair restore}
 * (the same pipeline, in-process) records it with the real model. The output must keep its clock
 * through the outage (the last frame repeated), reconnect by itself, and restore the frames that
 * come after the reconnection: the output is decoded, each frame is matched to the scene it shows,
 * and the pipeline's record of each written frame says whether the model restored it.
 */
@Timeout(180)
class LiveReconnectTest {

    static final int W = 128;
    static final int H = 72;
    private static final int FPS = 25;
    private static final double SIGMA = 15 / 255.0;  // sensor noise: every frame differs

    /** Streams {@code seconds} of {@code base} with fresh sensor noise per frame, in real time. */
    static void send(String url, float[] base, double seconds, long seed) throws Exception {
        FFmpegFrameRecorder r = new FFmpegFrameRecorder(url, W, H, 0);
        r.setFormat("mpegts");
        r.setVideoCodecName("mpeg2video");
        r.setFrameRate(FPS);
        r.setGopSize(5);           // a receiver that (re)joins needs a key frame soon
        r.setVideoQuality(2);      // near-lossless: the noise arrives as it was made
        r.start();
        Random rnd = new Random(seed);
        org.bytedeco.javacv.Frame frame = new org.bytedeco.javacv.Frame(W, H, org.bytedeco.javacv.Frame.DEPTH_UBYTE, 3);
        long t0 = System.nanoTime();
        int n = (int) Math.round(seconds * FPS);
        try {
            for (int i = 0; i < n; i++) {
                ByteBuffer buf = (ByteBuffer) frame.image[0];
                int stride = frame.imageStride;
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        for (int c = 0; c < 3; c++) { // BGR
                            double v = base[(2 - c) * W * H + y * W + x] + SIGMA * rnd.nextGaussian();
                            buf.put(y * stride + 3 * x + c, (byte) Math.round(255 * Math.min(1, Math.max(0, v))));
                        }
                    }
                }
                r.record(frame);
                long due = t0 + (long) ((i + 1) * 1e9 / FPS);
                long sleep = (due - System.nanoTime()) / 1_000_000;
                if (sleep > 0) {
                    Thread.sleep(sleep);
                }
            }
        } finally {
            r.stop();
            r.release();
        }
    }

    private static float[] mirrored(float[] rgb) {
        float[] m = new float[rgb.length];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    m[c * W * H + y * W + x] = rgb[c * W * H + y * W + (W - 1 - x)];
                }
            }
        }
        return m;
    }

    @Test
    void outputKeepsItsClockThroughAnOutageAndRestoresTheFramesAfterTheReconnection(@TempDir Path tmp) throws Exception {
        // two different pictures, so that the output tells which phase each frame comes from
        float[] before = BenchCommand.decodeScaled(CliTestSupport.samples().resolve("car-park-rain.mp4").toString(), W, H, 1)
                .frames().get(0).rgb();
        float[] after = mirrored(before);
        int port;
        try (DatagramSocket s = new DatagramSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "udp://127.0.0.1:" + port;
        Path out = tmp.resolve("camera.mkv");
        Settings settings = Settings.load(null, Map.of(), Map.of("model.dir", CliTestSupport.models().toString(),
                "output.progress", "false", "output.lossless", "true", "model.task", "denoise",
                "live.read_timeout_ms", "1000", "live.hold_after_ms", "300", "live.give_up_after_s", "5",
                "live.backoff_initial_ms", "200", "live.backoff_max_ms", "500"));
        RestorePipeline pipeline = new RestorePipeline(settings, CliTestSupport.models());

        AtomicReference<Throwable> senderError = new AtomicReference<>();
        Thread sender = new Thread(() -> {
            try {
                send(url, before, 3.0, 1);
                Thread.sleep(3000); // the camera reboots
                send(url, after, 3.0, 2);
            } catch (Throwable e) {
                senderError.set(e);
            }
        }, "udp-camera");
        sender.start();
        Thread.sleep(300); // the receiver joins a stream that is already running, as with a real camera
        List<Frame> written = java.util.Collections.synchronizedList(new ArrayList<>());
        pipeline.onWritten(f -> written.add(f.withPixels(null)));
        RunSummary summary = pipeline.run(url, out.toString(), null, null);
        sender.join();
        if (senderError.get() != null) {
            throw new AssertionError("the UDP sender failed", senderError.get());
        }

        assertNotNull(summary.live(), "a udp:// input is opened as a reconnecting live source");
        assertTrue(summary.live().outages() >= 1 && summary.live().reconnects() >= 1, summary.describe());
        assertTrue(summary.live().held() > 0, "the last frame was repeated while the camera was gone: " + summary.describe());

        // decode what was recorded: every written frame is there, on an increasing clock without a hole
        List<Frame> frames = new ArrayList<>();
        try (FFmpegSource in = new FFmpegSource(out.toString(), "check")) {
            for (Frame f; (f = in.next()) != null; ) {
                frames.add(f);
            }
        }
        assertEquals(summary.frames(), frames.size(), "the output holds every frame the run wrote");
        long maxGapMicros = 0;
        for (int i = 1; i < frames.size(); i++) {
            long gap = frames.get(i).ptsMicros() - frames.get(i - 1).ptsMicros();
            assertTrue(gap > 0, "timestamps increase at frame " + i);
            maxGapMicros = Math.max(maxGapMicros, gap);
        }
        double spanS = (frames.get(frames.size() - 1).ptsMicros() - frames.get(0).ptsMicros()) / 1e6;
        assertTrue(spanS > 7.5, "the recording spans the outage as well as both phases: " + spanS + " s");
        assertTrue(maxGapMicros < 1_000_000, "no hole in the output's clock: the longest gap is " + maxGapMicros / 1000 + " ms");

        // which scene each frame shows, and whether the model restored it (distinct pictures: the
        // repeats while the camera is gone are copies of one frame)
        assertEquals(frames.size(), written.size());
        java.util.Set<Integer> seenBefore = new java.util.HashSet<>();
        java.util.Set<Integer> seenAfter = new java.util.HashSet<>();
        int restoredAfter = 0;
        for (int i = 0; i < frames.size(); i++) {
            float[] rgb = frames.get(i).rgb();
            if (correlation(rgb, after) > correlation(rgb, before)) {
                if (seenAfter.add(java.util.Arrays.hashCode(rgb)) && "denoise".equals(written.get(i).route())) {
                    restoredAfter++;
                }
            } else {
                seenBefore.add(java.util.Arrays.hashCode(rgb));
            }
        }
        System.err.printf("LiveReconnectTest: %d distinct frames before, %d after the reconnection (%d restored)%n%s%n",
                seenBefore.size(), seenAfter.size(), restoredAfter, summary.describe());
        assertTrue(seenBefore.size() >= 5, "frames before the outage: " + seenBefore.size() + "; " + summary.describe());
        assertTrue(seenAfter.size() >= 5, "the frames after the reconnection reach the output: " + seenAfter.size()
                + " of " + 3 * FPS + " sent; " + summary.describe());
        assertTrue(restoredAfter >= 0.8 * seenAfter.size(), "the frames after the reconnection are restored, not passed"
                + " through: " + restoredAfter + " of " + seenAfter.size());
    }

    @Test
    void stopRequestFinishesALiveRecordingInsteadOfDiscardingIt(@TempDir Path tmp) throws Exception {
        // what Ctrl-C does on `./daair restore udp://... out.mkv` (RestoreCommand's shutdown hook)
        float[] scene = BenchCommand.decodeScaled(CliTestSupport.samples().resolve("car-park-rain.mp4").toString(), W, H, 1)
                .frames().get(0).rgb();
        int port;
        try (DatagramSocket s = new DatagramSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "udp://127.0.0.1:" + port;
        Path out = tmp.resolve("rec").resolve("camera.mkv");
        Settings settings = Settings.load(null, Map.of(), Map.of("model.dir", CliTestSupport.models().toString(),
                "output.progress", "false", "model.task", "denoise", "live.read_timeout_ms", "1000"));
        RestorePipeline pipeline = new RestorePipeline(settings, CliTestSupport.models());
        Thread sender = new Thread(() -> {
            try {
                send(url, scene, 5.0, 7);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "udp-camera");
        sender.start();
        Thread.sleep(300);
        java.util.concurrent.atomic.AtomicLong stoppedAt = new java.util.concurrent.atomic.AtomicLong();
        Thread stopper = new Thread(() -> {
            try {
                Thread.sleep(2500);
                // on a loaded machine the live run may still be opening the stream: ask until it runs
                long deadline = System.nanoTime() + 2_000_000_000L;
                while (!pipeline.requestStop()) {
                    if (System.nanoTime() > deadline) {
                        return;   // never stopped: the assertion below says so
                    }
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                return;
            }
            stoppedAt.set(System.nanoTime());
        });
        stopper.start();
        RunSummary summary = pipeline.run(url, out.toString(), null, null);
        long ended = System.nanoTime();
        boolean cameraStillSending = sender.isAlive();
        stopper.join();
        sender.join();
        assertTrue(stoppedAt.get() > 0, "a live run can be stopped");
        double afterStop = (ended - stoppedAt.get()) / 1e9;
        assertTrue(cameraStillSending && afterStop < 2.0,
                "the run ended on the stop request (" + afterStop + " s after it), before the camera did");
        assertTrue(summary.frames() > 0);
        int decoded = 0;
        try (FFmpegSource in = new FFmpegSource(out.toString(), "check")) {
            while (in.next() != null) {
                decoded++;
            }
        }
        assertEquals(summary.frames(), decoded, "the recording was finished and keeps every frame written");
        try (var files = java.nio.file.Files.list(out.getParent())) {
            assertEquals(List.of(out), files.toList(), "no temporary file is left next to the recording");
        }
    }

    private static double mean(float[] a) {
        double s = 0;
        for (float v : a) {
            s += v;
        }
        return s / a.length;
    }

    /** Pearson correlation: which picture a frame shows, whatever its brightness. */
    private static double correlation(float[] a, float[] b) {
        double ma = mean(a);
        double mb = mean(b);
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (a[i] - ma) * (b[i] - mb);
            aa += (a[i] - ma) * (a[i] - ma);
            bb += (b[i] - mb) * (b[i] - mb);
        }
        return ab / Math.sqrt(aa * bb + 1e-12);
    }
}
