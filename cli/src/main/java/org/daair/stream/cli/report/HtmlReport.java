package org.daair.stream.cli.report;

import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes the report as one self-contained HTML page: CSS in the page, pictures as data URIs,
 * charts as inline SVG, no script and no reference to anything outside the file, so it can be
 * mailed, archived or opened offline.
 */
public final class HtmlReport {

    /** Above this many frames the per-frame table is left out (the charts still show every frame). */
    static final int MAX_TABLE_ROWS = 5000;

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:24px auto;max-width:1000px;padding:0 16px;background:#fff}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
            .sub{color:#666;margin:0 0 16px}
            table{border-collapse:collapse}td,th{padding:3px 12px 3px 0;text-align:left;vertical-align:top}th{color:#555;font-weight:600}
            .pairs{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:14px}
            figure{margin:0;background:#f7f7f7;border:1px solid #e2e2e2;padding:6px}
            figure .two{display:flex;gap:4px}figure .two div{flex:1;min-width:0}
            figure img{width:100%;height:auto;display:block}
            figure .tag{font-size:11px;color:#666;text-transform:uppercase;letter-spacing:.04em}
            figcaption{font-size:12px;color:#444;margin-top:4px}
            svg{max-width:100%;height:auto;font:11px system-ui,sans-serif;fill:#333}
            .legend span{display:inline-block;margin-right:14px;font-size:12px}.legend i{display:inline-block;width:11px;height:11px;margin-right:5px;vertical-align:-1px}
            details{margin-top:12px}.frames td{font-variant-numeric:tabular-nums;padding-right:18px}
            footer{margin-top:32px;color:#888;font-size:12px}
            """;

    private HtmlReport() {
    }

    public static String render(ReportData d) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
                .append("<title>daair report: ").append(Html.escape(d.input())).append("</title><style>").append(CSS)
                .append("</style></head><body>\n");
        h.append("<h1>Restoration report</h1><p class=\"sub\">").append(Html.escape(d.input())).append(" &middot; ")
                .append(Html.escape(d.model())).append(" &middot; ")
                .append(d.created().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT))).append("</p>\n");
        input(h, d);
        thumbnails(h, d);
        h.append("<h2>Degradation per frame</h2>").append(legend(d)).append(SvgCharts.routeChart(d.frames(), d.routes())).append('\n');
        h.append("<h2>Restorer's confidence</h2><p class=\"sub\">The classifier's probability of the degradation chosen for each"
                + " frame. In a video the choice is smoothed over time, so it is not always the frame's most likely class.</p>")
                .append(SvgCharts.confidenceChart(d.frames(), d.routes())).append('\n');
        stages(h, d);
        frameTable(h, d);
        h.append("<footer>Made by daair-stream (<code>daair report</code>). This page is self-contained: it loads nothing"
                + " from anywhere.</footer>\n</body></html>\n");
        return h.toString();
    }

    private static void input(StringBuilder h, ReportData d) {
        var s = d.summary();
        String fps = d.info().frameRate() > 0 ? String.format(Locale.ROOT, "%.3f", d.info().frameRate()) : "none (images)";
        String routes = d.summary().framesPerRoute().entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
        long passed = d.frames().stream().filter(r -> "passthrough".equals(r.route())).count();
        h.append("<h2>Input</h2><table class=\"info\">");
        row(h, "input", d.input());
        row(h, "frame size", d.frameSize());
        row(h, "frame rate (fps)", fps);
        row(h, "frames", Long.toString(s.frames()));
        row(h, "model", d.model());
        row(h, "task", d.task() + ("auto".equals(d.task()) ? " (each frame classified)" : " (forced)"));
        row(h, "device", d.device());
        row(h, "frames per degradation", routes.isEmpty() ? "none" : routes + (passed > 0 ? ", passed through " + passed : ""));
        row(h, "restored output", d.outputVideo() == null ? "not kept (use --output-video FILE)" : d.outputVideo());
        h.append("</table>\n");
    }

    private static void row(StringBuilder h, String key, String value) {
        h.append("<tr><th>").append(Html.escape(key)).append("</th><td>").append(Html.escape(value)).append("</td></tr>");
    }

    private static void thumbnails(StringBuilder h, ReportData d) {
        h.append("<h2>Before and after</h2><p class=\"sub\">").append(d.thumbnails().size())
                .append(d.thumbnails().size() == 1 ? " frame" : " frames").append(", evenly spaced over the input.</p><div class=\"pairs\">");
        for (RunRecorder.Thumbnail t : d.thumbnails()) {
            FrameRecord r = t.frame();
            h.append("<figure class=\"pair\" data-frame=\"").append(r.seq()).append("\"><div class=\"two\">")
                    .append("<div><div class=\"tag\">input</div><img class=\"before\" alt=\"frame ").append(r.seq())
                    .append(" input\" src=\"").append(t.before()).append("\"></div>")
                    .append("<div><div class=\"tag\">restored</div><img class=\"after\" alt=\"frame ").append(r.seq())
                    .append(" restored\" src=\"").append(t.after()).append("\"></div></div><figcaption>frame ").append(r.seq());
            if (r.name() != null) {
                h.append(" &middot; ").append(Html.escape(r.name()));
            }
            h.append(" &middot; ").append(Html.escape(r.route()));
            if (!Double.isNaN(r.confidence())) {
                h.append(" &middot; confidence ").append(String.format(Locale.ROOT, "%.2f", r.confidence()));
            }
            h.append("</figcaption></figure>");
        }
        h.append("</div>\n");
    }

    private static String legend(ReportData d) {
        StringBuilder s = new StringBuilder("<p class=\"legend\">");
        List<String> shown = new java.util.ArrayList<>(d.routes());
        d.frames().stream().map(FrameRecord::route).filter(r -> !shown.contains(r)).distinct().forEach(shown::add);
        for (String r : shown) {
            s.append("<span><i style=\"background:").append(SvgCharts.colour(r, d.routes())).append("\"></i>")
                    .append(Html.escape(r)).append("</span>");
        }
        return s.append("</p>").toString();
    }

    private static void stages(StringBuilder h, ReportData d) {
        var s = d.summary();
        Map<String, Double> stages = new LinkedHashMap<>();
        stages.put("decode", s.decodeSeconds());
        stages.put("classify", s.classifySeconds());
        stages.put("model", s.modelSeconds());
        stages.put("encode", s.encodeSeconds());
        h.append("<h2>Time per stage</h2><p class=\"sub\">")
                .append(String.format(Locale.ROOT, "%d frames in %.1f s (%.2f fps) on %s. ", s.frames(), s.seconds(), s.fps(),
                        Html.escape(d.device())))
                .append("The stages run in parallel threads, so their times overlap rather than add up")
                .append(d.outputVideo() == null ? "; no output was encoded (no --output-video)." : ".").append("</p>")
                .append(SvgCharts.stageChart(stages)).append('\n');
    }

    private static void frameTable(StringBuilder h, ReportData d) {
        h.append("<details><summary>Per-frame values</summary>");
        if (d.frames().size() > MAX_TABLE_ROWS) {
            h.append("<p>").append(d.frames().size()).append(" frames: too many to list (the charts above show them all).</p>");
        } else {
            h.append("<table class=\"frames\"><tr><th>frame</th><th>degradation</th><th>confidence</th></tr>");
            for (FrameRecord r : d.frames()) {
                h.append("<tr><td>").append(r.seq()).append("</td><td>").append(Html.escape(r.route())).append("</td><td>")
                        .append(Double.isNaN(r.confidence()) ? "-" : String.format(Locale.ROOT, "%.4f", r.confidence()))
                        .append("</td></tr>");
            }
            h.append("</table>");
        }
        h.append("</details>\n");
    }
}
