package org.daair.stream.cli.eval;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.daair.stream.common.Frame;
import org.daair.stream.engine.RestoreEngine;

/**
 * What DaAIR buys over the classical filters, on the same frames: each degradation is synthesised
 * onto the frames (so the frames themselves are the clean reference and PSNR is measurable), then
 * restored by DaAIR (the engine as configured: classified, or the forced task) and by the
 * classical tools for that degradation: FFmpeg's {@code hqdn3d} and {@code nlmeans} for noise, the
 * dark channel prior for haze. Speed is timed side by side in one run (frames per second of the
 * restoration alone, frames already in memory), so the ratio to DaAIR's fps holds on a busy machine.
 */
public final class ClassicalBaselines {

    /** Stronger than hqdn3d's defaults (4:3:6:4.5), which are meant for light noise: sigma 25 is heavy. */
    public static final String HQDN3D = "hqdn3d=8:6:12:9";
    /** Strength set for sigma 25; patch 7, search window 15 (FFmpeg's defaults). */
    public static final String NLMEANS = "nlmeans=s=8";
    /**
     * Adaptive temporal averaging over 5 frames, thresholds raised for sigma 25: the fast LGPL
     * denoiser, standing in for hqdn3d where the FFmpeg build is the LGPL one.
     */
    public static final String ATADENOISE = "atadenoise=0a=0.2:0b=0.4:1a=0.2:1b=0.4:2a=0.2:2b=0.4:s=5";
    /** The noise methods, in the order they run. */
    public static final List<String> DENOISERS = List.of(HQDN3D, NLMEANS, ATADENOISE);

    /** The degradations compared, each with its classical methods. */
    public static final List<String> DEGRADATIONS = List.of("noise:25", "haze");

    private ClassicalBaselines() {
    }

    /** One method's result on one degradation. */
    /** @param routes frames per route for DaAIR (empty for the classical methods) */
    public record Result(String degradation, String method, int frames, double fps, double psnrIn, double psnr, double ssim,
                         Map<String, Integer> routes) {
        public Map<String, Object> toJson(double daairFps) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("degradation", degradation);
            m.put("method", method);
            m.put("frames", frames);
            m.put("fps", fps);
            m.put("fps_over_daair", fps / daairFps);
            m.put("psnr_degraded", psnrIn);
            m.put("psnr", psnr);
            m.put("gain_db", psnr - psnrIn);
            m.put("ssim", ssim);
            if (!routes.isEmpty()) {
                m.put("routes", routes);
            }
            return m;
        }
    }

    /**
     * Runs every degradation and method on the frames (all of one size).
     *
     * @param batch frames per forward pass, as the engine stage batches them
     */
    /** The results, and the methods this build could not run (with why). */
    public record Outcome(List<Result> results, List<String> skipped) {
    }

    public static Outcome run(RestoreEngine engine, int batch, List<Frame> reference) throws IOException {
        List<Result> results = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int w = reference.get(0).width();
        int h = reference.get(0).height();
        for (String spec : DEGRADATIONS) {
            SyntheticDegradation synth = SyntheticDegradation.parse(spec);
            List<float[]> refs = new ArrayList<>();
            List<Frame> degraded = new ArrayList<>();
            String streamId = "bench-" + synth.kind();
            for (Frame f : reference) {
                refs.add(f.rgb());
                degraded.add(new Frame(streamId, f.seq(), f.ptsMicros(), w, h, synth.apply(f.rgb(), w, h, f.seq()), null, null));
            }
            List<float[]> inputs = degraded.stream().map(Frame::rgb).toList();
            double psnrIn = meanPsnr(refs, inputs);

            Map<String, Integer> routes = new LinkedHashMap<>();
            // untimed warm-up of the graph this input goes to (ONNX Runtime's first run at a size is slow)
            engine.restore(engine.route(degraded.get(0)), degraded.subList(0, 1));
            long t0 = System.nanoTime();
            List<float[]> restored = restoreWithEngine(engine, batch, degraded, routes);
            results.add(result(spec, "DaAIR (" + engine.task().id() + ")", refs, restored, t0, psnrIn, w, h, routes));
            if (engine.task() == org.daair.stream.engine.Task.AUTO) {
                // what the right graph gives when the classifier errs: the gap is the routing's cost
                Map<String, Integer> forced = new LinkedHashMap<>();
                engine.restore(synth.task(), degraded.subList(0, 1));
                t0 = System.nanoTime();
                List<float[]> out = restoreWithRoute(engine, batch, degraded, synth.task(), forced);
                results.add(result(spec, "DaAIR (" + synth.task() + " forced)", refs, out, t0, psnrIn, w, h, forced));
            }
            if (synth.kind().equals("noise")) {
                for (String filter : DENOISERS) {
                    if (!FfmpegVideoFilter.available(FfmpegVideoFilter.name(filter))) {
                        skipped.add(filter + ": not in this FFmpeg build" + (filter.startsWith("hqdn3d") ? " (GPL-only; mvn -Pgpl)" : ""));
                        continue;
                    }
                    t0 = System.nanoTime();
                    List<float[]> out = new FfmpegVideoFilter(filter).apply(inputs, w, h);
                    results.add(result(spec, "FFmpeg " + filter, refs, out, t0, psnrIn, w, h, Map.of()));
                }
            } else {
                t0 = System.nanoTime();
                List<float[]> out = new ArrayList<>();
                for (float[] in : inputs) {
                    out.add(DarkChannelDehaze.dehaze(in, w, h));
                }
                results.add(result(spec, "dark channel prior", refs, out, t0, psnrIn, w, h, Map.of()));
            }
        }
        return new Outcome(results, skipped);
    }

    /** Routes and restores as the model-only benchmark does: grouped by route, in batches; output in input order. */
    private static List<float[]> restoreWithEngine(RestoreEngine engine, int batch, List<Frame> frames, Map<String, Integer> routes) {
        engine.forgetStream(frames.get(0).streamId());
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < frames.size(); i++) {
            groups.computeIfAbsent(engine.route(frames.get(i)), k -> new ArrayList<>()).add(i);
        }
        groups.forEach((route, idx) -> routes.put(route, idx.size()));
        float[][] out = new float[frames.size()][];
        for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
            List<Integer> idx = g.getValue();
            for (int s = 0; s < idx.size(); s += batch) {
                List<Integer> part = idx.subList(s, Math.min(idx.size(), s + batch));
                List<Frame> restored = engine.restore(g.getKey(), part.stream().map(frames::get).toList());
                for (int k = 0; k < part.size(); k++) {
                    out[part.get(k)] = restored.get(k).rgb();
                }
            }
        }
        return List.of(out);
    }

    /** All frames through one route's graph, in batches (no classification). */
    private static List<float[]> restoreWithRoute(RestoreEngine engine, int batch, List<Frame> frames, String route,
                                                  Map<String, Integer> routes) {
        List<float[]> out = new ArrayList<>();
        for (int s = 0; s < frames.size(); s += batch) {
            engine.restore(route, frames.subList(s, Math.min(frames.size(), s + batch))).forEach(f -> out.add(f.rgb()));
        }
        routes.put(route, frames.size());
        return out;
    }

    /** Stops the clock (started at t0), then measures quality (not timed). */
    private static Result result(String spec, String method, List<float[]> refs, List<float[]> out, long t0, double psnrIn, int w, int h,
                                 Map<String, Integer> routes) {
        double fps = out.size() / ((System.nanoTime() - t0) / 1e9);
        double ssim = 0;
        for (int i = 0; i < refs.size(); i++) {
            ssim += ImageQuality.ssim(refs.get(i), out.get(i), w, h) / refs.size();
        }
        return new Result(spec, method, out.size(), fps, psnrIn, meanPsnr(refs, out), ssim, routes);
    }

    private static double meanPsnr(List<float[]> refs, List<float[]> imgs) {
        double s = 0;
        for (int i = 0; i < refs.size(); i++) {
            s += ImageQuality.psnr(refs.get(i), imgs.get(i));
        }
        return s / refs.size();
    }
}
