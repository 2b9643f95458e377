package org.daair.stream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.daair.stream.common.Frame;
import org.daair.stream.engine.Flicker;
import org.daair.stream.engine.TemporalStabilizer;
import org.daair.stream.engine.WarmStart;
import org.daair.stream.ingest.FrameSource;
import org.daair.stream.ingest.SourceException;
import org.daair.stream.ingest.Sources;

/**
 * Quality of a restored video against its clean original: PSNR (RGB, 8-bit, mean over frames) and
 * flicker ({@link Flicker}, still pixels of the clean video) of the degraded input, of the frames
 * restored one by one, and of the same frames through the {@link TemporalStabilizer}, side by side
 * from one restoration pass (the stabiliser is a deterministic pass over the restored frames in
 * order, exactly as the pipeline applies it).
 */
public final class VideoEval {

    /**
     * One variant's numbers: mean PSNR against the clean video, PSNR over the moving pixels only
     * (where the clean video changes: a stabiliser that smears motion loses here), and flicker.
     */
    public record Scores(double psnr, double psnrMoving, double flicker) {
    }

    /**
     * @param flickerClean the clean video's own flicker (codec noise, lighting): the yardstick
     * @param stabilizedCleanMotion the same stabiliser told where the clean video moves instead of
     *                     measuring motion on the restored frames: what a perfect motion detector
     *                     would give (a bound, not an output users get)
     * @param routes       frames per degradation chosen by the engine
     * @param byRoute      the PSNRs again over the frames of each route: where a model change or the
     *                     stabiliser gains or loses (a clip's segments are one degradation each)
     * @param frameScores  every frame's route and PSNRs, in order
     */
    public record Result(int frames, int width, int height, double flickerClean, Scores input, Scores perFrame, Scores stabilized,
                         Scores stabilizedCleanMotion, Map<String, Long> routes, double seconds, List<RouteScores> byRoute,
                         List<FrameScore> frameScores) {
    }

    /**
     * One frame: the route the engine chose, the PSNR of the input, the restored and the stabilised
     * frame, and the flicker of the restored and the stabilised video between the previous frame
     * and this one (mean absolute change over the {@code stillPixels} where the clean video is
     * still; 0 for the first frame). The clip's flicker is these means weighted by stillPixels.
     * Where the clean video moves into this frame, {@code movingValues} values (pixels x 3) and the
     * summed squared 8-bit error of the restored and the stabilised frame over them: a span of frames
     * pools to its moving-pixel PSNR as the clip's does ({@link Flicker#movingErrors}).
     */
    public record FrameScore(int index, String route, double input, double restored, double stabilized,
                             long stillPixels, double flickerRestored, double flickerStabilized,
                             long movingValues, double movingSeRestored, double movingSeStabilized) {
    }

    /**
     * Mean PSNR of the input, the restored and the stabilised frames over the frames of one route,
     * and the flicker into those frames, pooled over their still pixels as the clip's is.
     */
    public record RouteScores(String route, int frames, double input, double restored, double stabilized,
                              double flickerRestored, double flickerStabilized) {
    }

    private VideoEval() {
    }

    static List<Frame> decode(String video) throws IOException {
        List<Frame> out = new ArrayList<>();
        try (FrameSource src = Sources.open(video, "eval")) {
            for (Frame f; (f = src.next()) != null; ) {
                out.add(f);
            }
        }
        return out;
    }

    public static Result run(RestorePipeline pipeline, String clean, String degraded, TemporalStabilizer stabilizer, int warmStart)
            throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        List<Frame> c = decode(clean);
        List<Frame> d = decode(degraded);
        if (c.size() != d.size() || c.isEmpty() || c.get(0).width() != d.get(0).width() || c.get(0).height() != d.get(0).height()) {
            throw new SourceException("the clean and degraded videos must have the same frames: " + c.size() + " frames of "
                    + (c.isEmpty() ? "?" : c.get(0).width() + "x" + c.get(0).height()) + " against " + d.size() + " of "
                    + (d.isEmpty() ? "?" : d.get(0).width() + "x" + d.get(0).height()));
        }
        List<Frame> restored = restore(pipeline, degraded);
        return score(c, d, restored, stabilizer, warmStart, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Every frame of DEGRADED restored by the pipeline, in order, as the sink received them (the
     * pipeline's own stabiliser must be off: {@code temporal.stabilize: off}).
     */
    static List<Frame> restore(RestorePipeline pipeline, String degraded) throws IOException, InterruptedException {
        List<Frame> restored = new ArrayList<>();
        Path tmp = Files.createTempDirectory("daair-video-eval");
        try {
            pipeline.onWritten(restored::add);
            pipeline.run(degraded, tmp.resolve("restored.mkv").toString(), null, null);
        } finally {
            pipeline.onWritten(null);
            try (var s = Files.walk(tmp)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return restored;
    }

    static Result score(List<Frame> c, List<Frame> d, List<Frame> restored, TemporalStabilizer stabilizer, int warmStart, double seconds) {
        List<float[]> stab = stabilise(stabilizer, warmStart, restored, d);
        stabilizer.forget(restored.get(0).streamId());
        int w = c.get(0).width();
        int h = c.get(0).height();
        List<float[]> bound = new ArrayList<>();
        for (int t = 0; t < restored.size(); t++) {
            float[] motion = t == 0 ? null : stabilizer.motion(c.get(t).rgb(), c.get(t - 1).rgb(), w, h);
            bound.add(stabilizer.apply(restored.get(t), motion).rgb());
        }
        stabilizer.forget(restored.get(0).streamId());
        List<float[]> cleanPx = c.stream().map(Frame::rgb).toList();
        List<float[]> inPx = d.stream().map(Frame::rgb).toList();
        List<float[]> outPx = restored.stream().map(Frame::rgb).toList();
        Map<String, Long> routes = new TreeMap<>();
        restored.forEach(f -> routes.merge(f.route(), 1L, Long::sum));
        double[][] flickerOut = Flicker.perFrame(outPx, cleanPx, w, h);
        double[][] flickerStab = Flicker.perFrame(stab, cleanPx, w, h);
        double[][] movingOut = Flicker.movingErrors(outPx, cleanPx, w, h);
        double[][] movingStab = Flicker.movingErrors(stab, cleanPx, w, h);
        List<FrameScore> frames = new ArrayList<>();
        for (int t = 0; t < restored.size(); t++) {
            long still = (long) flickerOut[1][t];
            frames.add(new FrameScore(t, restored.get(t).route(), psnr8(inPx.get(t), cleanPx.get(t)),
                    psnr8(outPx.get(t), cleanPx.get(t)), psnr8(stab.get(t), cleanPx.get(t)), still,
                    still == 0 ? 0 : flickerOut[0][t] / still, still == 0 ? 0 : flickerStab[0][t] / still,
                    (long) movingOut[1][t], movingOut[0][t], movingStab[0][t]));
        }
        return new Result(c.size(), w, h, Flicker.measure(cleanPx, cleanPx, w, h),
                new Scores(meanPsnr(inPx, cleanPx), Flicker.movingPsnr(inPx, cleanPx, w, h), Flicker.measure(inPx, cleanPx, w, h)),
                new Scores(meanPsnr(outPx, cleanPx), Flicker.pooledPsnr(movingOut), Flicker.pooled(flickerOut)),
                new Scores(meanPsnr(stab, cleanPx), Flicker.pooledPsnr(movingStab), Flicker.pooled(flickerStab)),
                new Scores(meanPsnr(bound, cleanPx), Flicker.movingPsnr(bound, cleanPx, w, h), Flicker.measure(bound, cleanPx, w, h)),
                routes, seconds, byRoute(frames), frames);
    }

    /**
     * The RESTORED frames of one stream through STABILIZER as the pipeline feeds it: the input
     * frames (INPUTS, in order) are seen as decoding runs ahead of restoration, input t + 1 before
     * restored frame t (its look-ahead), then the end of the stream; the start is held for WARM_START
     * frames ({@link WarmStart}), as a file's is.
     */
    static List<float[]> stabilise(TemporalStabilizer stabilizer, int warmStart, List<Frame> restored, List<Frame> inputs) {
        List<float[]> out = new ArrayList<>();
        WarmStart warm = new WarmStart(stabilizer, warmStart);
        for (int t = 0; t <= restored.size(); t++) {
            if (t < restored.size()) {
                stabilizer.observeInput(restored.get(t).withPixels(inputs.get(t).rgb()));
            } else if (t > 0) {
                stabilizer.observeInput(Frame.endOfStream(restored.get(0).streamId(), t));
            }
            if (t > 0) {
                warm.apply(restored.get(t - 1)).forEach(f -> out.add(f.rgb()));
            }
        }
        if (!restored.isEmpty()) {
            warm.apply(Frame.endOfStream(restored.get(0).streamId(), restored.size())).stream()
                    .filter(f -> !f.isEndOfStream()).forEach(f -> out.add(f.rgb()));
        }
        return out;
    }

    static List<RouteScores> byRoute(List<FrameScore> frames) {
        Map<String, List<FrameScore>> groups = new TreeMap<>();
        frames.forEach(f -> groups.computeIfAbsent(f.route(), k -> new ArrayList<>()).add(f));
        List<RouteScores> out = new ArrayList<>();
        groups.forEach((route, fs) -> out.add(new RouteScores(route, fs.size(),
                fs.stream().mapToDouble(FrameScore::input).average().orElse(0),
                fs.stream().mapToDouble(FrameScore::restored).average().orElse(0),
                fs.stream().mapToDouble(FrameScore::stabilized).average().orElse(0),
                pooledFlicker(fs, FrameScore::flickerRestored), pooledFlicker(fs, FrameScore::flickerStabilized))));
        return out;
    }

    /** Flicker over these frames: their per-frame means weighted by their still pixels. */
    static double pooledFlicker(List<FrameScore> frames, java.util.function.ToDoubleFunction<FrameScore> flicker) {
        double sum = 0;
        long n = 0;
        for (FrameScore f : frames) {
            sum += flicker.applyAsDouble(f) * f.stillPixels();
            n += f.stillPixels();
        }
        return n == 0 ? 0 : sum / n;
    }

    /** PSNR on 8-bit values (what a viewer sees after encoding), averaged over frames. */
    static double meanPsnr(List<float[]> a, List<float[]> b) {
        double s = 0;
        for (int t = 0; t < a.size(); t++) {
            s += psnr8(a.get(t), b.get(t));
        }
        return s / a.size();
    }

    static double psnr8(float[] a, float[] b) {
        double se = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.round(Math.min(1, Math.max(0, a[i])) * 255) - Math.round(Math.min(1, Math.max(0, b[i])) * 255);
            se += d * d;
        }
        double mse = se / a.length;
        return mse == 0 ? 100 : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    /** The table: input, per-frame and stabilised PSNR and flicker (and flicker / clean flicker). */
    public static String describe(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%d frames of %dx%d, restored in %.1f s; routes %s%n", r.frames(), r.width(), r.height(), r.seconds(), r.routes()));
        sb.append(String.format("%-22s %10s %16s %12s %14s%n", "", "PSNR dB", "moving PSNR dB", "flicker", "flicker/clean"));
        sb.append(String.format("%-22s %10s %16s %12.6f %14.2f%n", "clean", "", "", r.flickerClean(), 1.0));
        for (var e : List.of(Map.entry("degraded input", r.input()), Map.entry("restored per frame", r.perFrame()),
                Map.entry("restored, stabilised", r.stabilized()),
                Map.entry("bound: clean motion", r.stabilizedCleanMotion()))) {
            sb.append(String.format("%-22s %10.2f %16.2f %12.6f %14.2f%n", e.getKey(), e.getValue().psnr(), e.getValue().psnrMoving(),
                    e.getValue().flicker(), e.getValue().flicker() / r.flickerClean()));
        }
        sb.append("(bound: the same stabiliser told where the clean video moves, i.e. with a perfect motion detector)\n");
        sb.append(String.format("%-22s %10s %10s %12s %14s %14s %14s%n", "by route", "frames", "input dB", "per frame dB",
                "stabilised dB", "flicker/clean", "stab. flicker"));
        for (RouteScores g : r.byRoute()) {
            sb.append(String.format("%-22s %10d %10.2f %12.2f %14.2f %14.2f %14.2f%n", g.route(), g.frames(), g.input(), g.restored(),
                    g.stabilized(), g.flickerRestored() / r.flickerClean(), g.flickerStabilized() / r.flickerClean()));
        }
        sb.append("(flicker/clean by route: the restored frames', then the stabilised ones', into the frames of that route)\n");
        return sb.toString();
    }
}
