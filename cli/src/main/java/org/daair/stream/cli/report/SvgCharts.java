package org.daair.stream.cli.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's charts as inline SVG, drawn here rather than by a charting library so that the
 * page needs nothing but a browser: the route per frame, the classifier's confidence per frame,
 * and the time per stage.
 */
final class SvgCharts {

    static final int WIDTH = 960;
    private static final int LEFT = 96;
    private static final int RIGHT = 16;
    private static final int PLOT_W = WIDTH - LEFT - RIGHT;
    /** Above this many frames the confidence line gets no per-frame dots (they would merge). */
    private static final int MAX_DOTS = 300;
    private static final Map<String, String> COLOURS = Map.of("denoise", "#4e79a7", "derain", "#1f9e89", "dehaze", "#e8a33d",
            "deblur", "#b15dbe", "lowlight", "#e15759", "passthrough", "#9a9a9a");
    private static final String[] SPARE = {"#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac"};

    private SvgCharts() {
    }

    /** A fixed colour per degradation, the same in every chart and legend. */
    static String colour(String route, List<String> routes) {
        String c = COLOURS.get(route);
        if (c != null) {
            return c;
        }
        int i = Math.max(0, routes.indexOf(route));
        return SPARE[i % SPARE.length];
    }

    private static double x(long i, long n) {
        return LEFT + (double) i * PLOT_W / Math.max(1, n);
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Frame-number ticks along the bottom of a plot whose bottom edge is at {@code y}. */
    private static void xAxis(StringBuilder s, long n, int y) {
        s.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(y).append("\" x2=\"").append(LEFT + PLOT_W)
                .append("\" y2=\"").append(y).append("\" stroke=\"#888\"/>");
        int ticks = (int) Math.min(n, 6);
        for (int t = 0; t < ticks; t++) {
            long frame = ticks == 1 ? 0 : Math.round(t * (n - 1) / (double) (ticks - 1));
            double cx = (x(frame, n) + x(frame + 1, n)) / 2;
            s.append("<text x=\"").append(f(cx)).append("\" y=\"").append(y + 15).append("\" text-anchor=\"middle\">")
                    .append(frame).append("</text>");
        }
        s.append("<text x=\"").append(LEFT + PLOT_W).append("\" y=\"").append(y + 30).append("\" text-anchor=\"end\">frame</text>");
    }

    /** One lane per degradation; each run of frames with the same route is one bar in its lane. */
    static String routeChart(List<FrameRecord> frames, List<String> routes) {
        List<String> lanes = new ArrayList<>(routes);
        frames.stream().map(FrameRecord::route).filter(r -> !lanes.contains(r)).distinct().forEach(lanes::add);
        int lane = 22;
        int top = 8;
        int height = top + lanes.size() * lane + 36;
        long n = frames.size();
        StringBuilder s = new StringBuilder();
        s.append("<svg id=\"route-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"degradation chosen per frame\">");
        for (int i = 0; i < lanes.size(); i++) {
            int y = top + i * lane;
            s.append("<rect x=\"").append(LEFT).append("\" y=\"").append(y).append("\" width=\"").append(PLOT_W)
                    .append("\" height=\"").append(lane - 4).append("\" fill=\"#f2f2f2\"/>");
            s.append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(y + lane / 2 + 2).append("\" text-anchor=\"end\">")
                    .append(Html.escape(lanes.get(i))).append("</text>");
        }
        for (int i = 0; i < frames.size(); ) {
            int j = i;
            String route = frames.get(i).route();
            while (j + 1 < frames.size() && frames.get(j + 1).route().equals(route)) {
                j++;
            }
            int y = top + lanes.indexOf(route) * lane;
            s.append("<rect class=\"run\" data-route=\"").append(Html.escape(route)).append("\" data-from=\"").append(i)
                    .append("\" data-to=\"").append(j).append("\" x=\"").append(f(x(i, n))).append("\" y=\"").append(y)
                    .append("\" width=\"").append(f(Math.max(1, x(j + 1, n) - x(i, n)))).append("\" height=\"").append(lane - 4)
                    .append("\" fill=\"").append(colour(route, routes)).append("\"><title>frames ").append(i).append('-').append(j)
                    .append(": ").append(Html.escape(route)).append("</title></rect>");
            i = j + 1;
        }
        xAxis(s, n, top + lanes.size() * lane);
        return s.append("</svg>").toString();
    }

    /** The classifier's probability of the chosen degradation, per frame, on a 0-1 scale. */
    static String confidenceChart(List<FrameRecord> frames, List<String> routes) {
        int top = 10;
        int plotH = 160;
        int height = top + plotH + 40;
        long n = frames.size();
        StringBuilder s = new StringBuilder();
        s.append("<svg id=\"confidence-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"classifier confidence per frame\">");
        for (int t = 0; t <= 4; t++) {
            double v = t / 4.0;
            double y = top + plotH * (1 - v);
            s.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(f(y)).append("\" x2=\"").append(LEFT + PLOT_W)
                    .append("\" y2=\"").append(f(y)).append("\" stroke=\"#e4e4e4\"/>");
            s.append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(f(y + 4)).append("\" text-anchor=\"end\">")
                    .append(String.format(Locale.ROOT, "%.2f", v)).append("</text>");
        }
        boolean any = frames.stream().anyMatch(r -> !Double.isNaN(r.confidence()));
        if (!any) {
            s.append("<text x=\"").append(LEFT + PLOT_W / 2).append("\" y=\"").append(top + plotH / 2)
                    .append("\" text-anchor=\"middle\">no classifier ran: the degradation was forced with --task</text>");
        }
        // one polyline per stretch of classified frames (passed-through or forced frames break the line)
        List<String> points = new ArrayList<>();
        for (int i = 0; i <= frames.size(); i++) {
            double c = i < frames.size() ? frames.get(i).confidence() : Double.NaN;
            if (Double.isNaN(c)) {
                if (points.size() > 1) {
                    s.append("<polyline fill=\"none\" stroke=\"#333\" stroke-width=\"1.5\" points=\"")
                            .append(String.join(" ", points)).append("\"/>");
                }
                points.clear();
                continue;
            }
            points.add(f((x(i, n) + x(i + 1, n)) / 2) + "," + f(top + plotH * (1 - c)));
        }
        if (frames.size() <= MAX_DOTS) {
            for (int i = 0; i < frames.size(); i++) {
                FrameRecord r = frames.get(i);
                if (!Double.isNaN(r.confidence())) {
                    s.append("<circle cx=\"").append(f((x(i, n) + x(i + 1, n)) / 2)).append("\" cy=\"")
                            .append(f(top + plotH * (1 - r.confidence()))).append("\" r=\"3.5\" fill=\"")
                            .append(colour(r.route(), routes)).append("\"><title>frame ").append(i).append(": ")
                            .append(Html.escape(r.route())).append(' ').append(String.format(Locale.ROOT, "%.3f", r.confidence()))
                            .append("</title></circle>");
                }
            }
        }
        xAxis(s, n, top + plotH);
        return s.append("</svg>").toString();
    }

    /** Seconds spent in each stage, as horizontal bars (the stages run in parallel threads). */
    static String stageChart(Map<String, Double> secondsPerStage) {
        int bar = 26;
        int top = 6;
        int height = top + secondsPerStage.size() * bar + 6;
        double max = secondsPerStage.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        StringBuilder s = new StringBuilder();
        s.append("<svg id=\"stage-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"time per stage\">");
        int i = 0;
        for (Map.Entry<String, Double> e : new LinkedHashMap<>(secondsPerStage).entrySet()) {
            int y = top + i++ * bar;
            double w = max > 0 ? e.getValue() / max * (PLOT_W - 80) : 0;
            s.append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(y + bar / 2 + 3).append("\" text-anchor=\"end\">")
                    .append(Html.escape(e.getKey())).append("</text>");
            s.append("<rect class=\"stage\" data-stage=\"").append(Html.escape(e.getKey())).append("\" x=\"").append(LEFT)
                    .append("\" y=\"").append(y + 3).append("\" width=\"").append(f(Math.max(1, w))).append("\" height=\"")
                    .append(bar - 8).append("\" fill=\"#4e79a7\"/>");
            s.append("<text x=\"").append(f(LEFT + Math.max(1, w) + 6)).append("\" y=\"").append(y + bar / 2 + 3).append("\">")
                    .append(String.format(Locale.ROOT, "%.2f s", e.getValue())).append("</text>");
        }
        return s.append("</svg>").toString();
    }
}
