package org.daair.stream.ingest;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/** Generates short test clips with JavaCV, so tests need no media files and no ffmpeg CLI.
 * Shared with other modules' tests through this module's test-jar. */
public final class TestClips {

    private TestClips() {
    }

    /** The repository's sample video, or null when the checkout has no shared data. */
    public static Path sampleVideo() {
        String root = System.getProperty("daair.repo.root", ".");
        Path p = Path.of(root).resolve("../shared/data/video/car-detection.mp4").normalize();
        return Files.isRegularFile(p) ? p : null;
    }

    /**
     * Writes an MP4 (mpeg4 video, high quality) tagged BT.709 / limited range, with an optional
     * AAC sine tone and rotation.
     */
    public static Path clip(Path file, int frames, int w, int h, int fps, double audioSeconds, double rotation) throws Exception {
        FFmpegFrameRecorder r = new FFmpegFrameRecorder(file.toString(), w, h, audioSeconds > 0 ? 1 : 0);
        r.setFormat("mp4");
        r.setVideoCodecName("mpeg4");
        r.setPixelFormat(AV_PIX_FMT_YUV420P);
        r.setFrameRate(fps);
        r.setVideoQuality(2);
        r.setVideoOption("color_primaries", "bt709");
        r.setVideoOption("color_trc", "bt709");
        r.setVideoOption("colorspace", "bt709");
        r.setVideoOption("color_range", "tv");
        if (rotation != 0) {
            r.setDisplayRotation(-rotation); // JavaCV's angle is counter-clockwise; ours is clockwise
        }
        int rate = 44100;
        if (audioSeconds > 0) {
            r.setAudioCodecName("aac");
            r.setSampleRate(rate);
            r.setAudioBitrate(64_000);
        }
        r.start();
        long samplesTotal = Math.round(audioSeconds * rate);
        long samplesDone = 0;
        for (int i = 0; i < frames; i++) {
            r.record(yuv709(w, h, i), AV_PIX_FMT_YUV420P);
            long until = Math.min(samplesTotal, Math.round((i + 1) * (double) rate / fps));
            if (until > samplesDone) {
                short[] s = new short[(int) (until - samplesDone)];
                for (int k = 0; k < s.length; k++) {
                    s[k] = (short) (8000 * Math.sin(2 * Math.PI * 440 * (samplesDone + k) / rate));
                }
                r.recordSamples(rate, 1, ShortBuffer.wrap(s));
                samplesDone = until;
            }
        }
        r.stop();
        r.release();
        return file;
    }

    /** Smooth gradients plus a moving square: easy to encode well, and each frame differs. */
    public static int[] rgbAt(int w, int h, int i, int x, int y) {
        boolean sq = x >= 10 + 3 * i && x < 40 + 3 * i && y >= 20 && y < 50;
        return sq ? new int[] {230, 60, 40} : new int[] {40 + 160 * x / w, 40 + 160 * y / h, 120};
    }

    /**
     * The pattern as YUV 4:2:0, BT.709 limited range, computed here because the recorder's own
     * RGB conversion always uses BT.601 and would contradict the clip's BT.709 tags.
     */
    public static Frame yuv709(int w, int h, int i) {
        int cw = w / 2;
        int ch = h / 2;
        ByteBuffer b = ByteBuffer.allocateDirect(w * h + 2 * cw * ch);
        double kr = 0.2126;
        double kb = 0.0722;
        double kg = 1 - kr - kb;
        double[] u = new double[cw * ch];
        double[] v = new double[cw * ch];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] c = rgbAt(w, h, i, x, y);
                double r = c[0] / 255.0;
                double g = c[1] / 255.0;
                double bl = c[2] / 255.0;
                double luma = kr * r + kg * g + kb * bl;
                b.put(y * w + x, (byte) Math.round(16 + 219 * luma));
                int ci = (y / 2) * cw + x / 2;
                u[ci] += (bl - luma) / (2 * (1 - kb)) / 4;
                v[ci] += (r - luma) / (2 * (1 - kr)) / 4;
            }
        }
        for (int k = 0; k < cw * ch; k++) {
            b.put(w * h + k, (byte) Math.round(128 + 224 * u[k]));
            b.put(w * h + cw * ch + k, (byte) Math.round(128 + 224 * v[k]));
        }
        Frame f = new Frame();
        f.imageWidth = w;
        f.imageHeight = h;
        f.imageDepth = Frame.DEPTH_UBYTE;
        f.imageChannels = 1;
        f.imageStride = w;
        f.image = new java.nio.Buffer[] {b};
        return f;
    }
}
