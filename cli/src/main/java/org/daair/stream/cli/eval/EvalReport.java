package org.daair.stream.cli.eval;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code daair eval} measured: per image the route and PSNR/SSIM of the degraded input and of
 * the restored image against the clean one; their means; the routes chosen and, where the true
 * degradation is known and the engine classified (task auto), the routing accuracy.
 *
 * @param expected the route each image should get (null when unknown)
 * @param forced   true when --task forced one graph (routing accuracy then means nothing)
 */
public record EvalReport(Map<String, Object> setup, String expected, boolean forced, List<ImageResult> images) {

    /** One pair's numbers. */
    public record ImageResult(String name, int width, int height, String route,
                              double psnrIn, double psnr, double ssimIn, double ssim) {
    }

    public EvalReport {
        images = List.copyOf(images);
    }

    public double meanPsnrIn() {
        return images.stream().mapToDouble(ImageResult::psnrIn).average().orElse(Double.NaN);
    }

    public double meanPsnr() {
        return images.stream().mapToDouble(ImageResult::psnr).average().orElse(Double.NaN);
    }

    public double meanSsimIn() {
        return images.stream().mapToDouble(ImageResult::ssimIn).average().orElse(Double.NaN);
    }

    public double meanSsim() {
        return images.stream().mapToDouble(ImageResult::ssim).average().orElse(Double.NaN);
    }

    /** How many images went to each route, in order of first appearance. */
    public Map<String, Long> routes() {
        Map<String, Long> m = new LinkedHashMap<>();
        images.forEach(r -> m.merge(r.route(), 1L, Long::sum));
        return m;
    }

    /** Share of images routed to the expected degradation; NaN when unknown or forced. */
    public double routingAccuracy() {
        if (expected == null || forced || images.isEmpty()) {
            return Double.NaN;
        }
        return images.stream().filter(r -> r.route().equals(expected)).count() / (double) images.size();
    }

    public void print(PrintStream out) {
        out.println("| image | size | route | degraded PSNR | restored PSNR | gain dB | degraded SSIM | restored SSIM |");
        out.println("|---|---|---|---|---|---|---|---|");
        for (ImageResult r : images) {
            out.printf("| %s | %dx%d | %s | %.2f | %.2f | %+.2f | %.4f | %.4f |%n", r.name(), r.width(), r.height(), r.route(),
                    r.psnrIn(), r.psnr(), r.psnr() - r.psnrIn(), r.ssimIn(), r.ssim());
        }
        out.printf("| **mean of %d** | | | %.2f | %.2f | %+.2f | %.4f | %.4f |%n", images.size(), meanPsnrIn(), meanPsnr(),
                meanPsnr() - meanPsnrIn(), meanSsimIn(), meanSsim());
        out.println();
        out.println("routes chosen: " + routes() + (forced ? " (forced by --task)" : ""));
        if (!Double.isNaN(routingAccuracy())) {
            out.printf("routing accuracy: %.3f (%d/%d images routed to %s)%n", routingAccuracy(),
                    images.stream().filter(r -> r.route().equals(expected)).count(), images.size(), expected);
        } else if (expected == null && !forced) {
            out.println("routing accuracy: not measured (give --expect TASK for a --degraded folder of one degradation)");
        }
    }

    /** Everything, machine-readable; non-finite numbers (PSNR of identical images) become null. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>(setup);
        m.put("expected_route", expected);
        m.put("task_forced", forced);
        Map<String, Object> mean = new LinkedHashMap<>();
        mean.put("n", images.size());
        mean.put("psnr_degraded", finite(meanPsnrIn()));
        mean.put("psnr_restored", finite(meanPsnr()));
        mean.put("gain_db", finite(meanPsnr() - meanPsnrIn()));
        mean.put("ssim_degraded", finite(meanSsimIn()));
        mean.put("ssim_restored", finite(meanSsim()));
        m.put("mean", mean);
        m.put("routes", routes());
        m.put("routing_accuracy", finite(routingAccuracy()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ImageResult r : images) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", r.name());
            row.put("width", r.width());
            row.put("height", r.height());
            row.put("route", r.route());
            row.put("psnr_degraded", finite(r.psnrIn()));
            row.put("psnr_restored", finite(r.psnr()));
            row.put("ssim_degraded", finite(r.ssimIn()));
            row.put("ssim_restored", finite(r.ssim()));
            rows.add(row);
        }
        m.put("images", rows);
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
