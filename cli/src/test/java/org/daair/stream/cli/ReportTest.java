package org.daair.stream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.daair.stream.common.Frame;
import org.daair.stream.config.Settings;
import org.daair.stream.engine.RestoreEngine;
import org.daair.stream.engine.RouteDecision;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daair report} end to end on a small clip made from the sample, with the shipped graphs:
 * the page is self-contained, its per-frame routes and confidences are the engine's, its
 * thumbnails show each sampled frame's own input and restored output, and bad inputs leave no page.
 */
class ReportTest {

    private static final int W = 192;
    private static final int H = 108;
    private static final int FRAMES = 10;
    private static final int THUMBNAILS = 4;

    @TempDir
    static Path tmp;
    static Path clip;
    static Path kept;
    static String html;

    @BeforeAll
    @Timeout(300)
    static void makeReport() throws Exception {
        clip = SmallInputs.clip(tmp, W, H, FRAMES);
        kept = tmp.resolve("restored.mkv");
        Path report = tmp.resolve("out").resolve("report.html");
        CliTestSupport.Result r = CliTestSupport.run("report", clip.toString(), "-o", report.toString(), "--thumbnails",
                Integer.toString(THUMBNAILS), "--output-video", kept.toString(), "--config", SmallInputs.losslessConfig(tmp).toString(),
                "--model", CliTestSupport.models().toString(), "--no-progress");
        assertEquals(0, r.exit(), r.stderr());
        try (Stream<Path> s = Files.list(report.getParent())) {
            assertEquals(List.of(report), s.toList(), "only the report, no temporary file");
        }
        html = Files.readString(report);
    }

    record Row(long seq, String route, String confidence) {
    }

    static List<Row> frameTable(String page) {
        List<Row> rows = new ArrayList<>();
        Matcher m = Pattern.compile("<tr><td>(\\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>").matcher(page);
        while (m.find()) {
            rows.add(new Row(Long.parseLong(m.group(1)), m.group(2), m.group(3)));
        }
        return rows;
    }

    static List<String> attributeValues(String page, String attribute) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\s" + attribute + "\\s*=\\s*\"([^\"]*)\"").matcher(page);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void pageIsSelfContained() {
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertFalse(html.toLowerCase().contains("<script"), "no JavaScript");
        assertFalse(html.toLowerCase().contains("<link"), "no linked stylesheet");
        for (String attr : new String[] {"src", "href"}) {
            for (String v : attributeValues(html, attr)) {
                assertTrue(v.startsWith("data:"), attr + " points outside the page: " + v.substring(0, Math.min(80, v.length())));
            }
        }
        assertFalse(html.contains("url("), "no CSS references");
        // the only http address is SVG's namespace name, which nothing fetches
        String rest = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assertFalse(rest.contains("http://") || rest.contains("https://"), "a web address in the page");
        for (String id : new String[] {"route-chart", "confidence-chart", "stage-chart"}) {
            assertTrue(html.contains("<svg id=\"" + id + "\""), "chart " + id);
        }
    }

    @Test
    @Timeout(120)
    void routesAndConfidencesAreTheEngines() throws Exception {
        List<Row> rows = frameTable(html);
        assertEquals(FRAMES, rows.size(), "one row per frame");
        // the same frames through an engine built the same way, listening to its decisions
        Settings s = Settings.load(null, Map.of(), Map.of("model.dir", CliTestSupport.models().toString()));
        RestorePipeline p = new RestorePipeline(s, CliTestSupport.models());
        List<RouteDecision> decisions = new ArrayList<>();
        p.onRouted(decisions::add);
        List<Frame> frames = PreviewTest.decode(clip).frames();
        try (RestoreEngine engine = p.buildEngine()) {
            for (Frame f : frames) {
                engine.route(f);
            }
        }
        assertEquals(FRAMES, decisions.size());
        for (int i = 0; i < FRAMES; i++) {
            Row row = rows.get(i);
            RouteDecision d = decisions.get(i);
            assertEquals(i, row.seq());
            assertEquals(d.route(), row.route(), "route of frame " + i);
            assertTrue(d.confidence() >= 0 && d.confidence() <= 1, d.toString());
            assertEquals(d.confidence(), Double.parseDouble(row.confidence()), 1e-4, "confidence of frame " + i);
        }
        // the route chart's runs cover every frame with the table's routes
        Matcher run = Pattern.compile("data-route=\"([^\"]+)\" data-from=\"(\\d+)\" data-to=\"(\\d+)\"").matcher(html);
        int covered = 0;
        while (run.find()) {
            for (int i = Integer.parseInt(run.group(2)); i <= Integer.parseInt(run.group(3)); i++, covered++) {
                assertEquals(rows.get(i).route(), run.group(1), "route chart at frame " + i);
            }
        }
        assertEquals(FRAMES, covered);
    }

    @Test
    void thumbnailsShowEachSampledFramesOwnInputAndOutput() throws Exception {
        Matcher m = Pattern.compile("<figure class=\"pair\" data-frame=\"(\\d+)\">.*?class=\"before\"[^>]*src=\"data:image/jpeg;base64,([^\"]+)\""
                + ".*?class=\"after\"[^>]*src=\"data:image/jpeg;base64,([^\"]+)\"").matcher(html);
        List<Frame> inputs = PreviewTest.decode(clip).frames();
        List<Frame> restored = PreviewTest.decode(kept).frames();
        assertEquals(FRAMES, restored.size(), "--output-video kept every restored frame");
        List<Integer> shown = new ArrayList<>();
        while (m.find()) {
            int k = Integer.parseInt(m.group(1));
            shown.add(k);
            BufferedImage before = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(2))));
            BufferedImage after = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(3))));
            assertEquals(W, before.getWidth());
            assertEquals(H, after.getHeight());
            // JPEG moves pixels by a few levels; the thumbnail must still be nearest to its own frame's
            // picture: not to the other side of the same frame, nor to a neighbouring frame
            assertNearest(before, inputs, restored, k, "input");
            assertNearest(after, restored, inputs, k, "restored");
        }
        assertEquals(THUMBNAILS, shown.size(), "thumbnails shown");
        assertEquals(0, shown.get(0));
        assertEquals(FRAMES - 1, shown.get(shown.size() - 1));
        assertEquals(shown.stream().sorted().distinct().toList(), shown, "in order, no repeats");
    }

    private static void assertNearest(BufferedImage thumb, List<Frame> same, List<Frame> other, int k, String side) {
        double own = meanDiff(thumb, same.get(k));
        assertTrue(own < 6, "frame " + k + " " + side + " thumbnail differs by " + own + " levels from its frame");
        assertTrue(meanDiff(thumb, other.get(k)) > own, "frame " + k + " " + side + " thumbnail looks like the other side");
        for (int j : new int[] {k - 1, k + 1}) {
            if (j >= 0 && j < same.size()) {
                assertTrue(meanDiff(thumb, same.get(j)) > own, "frame " + k + " " + side + " thumbnail looks like frame " + j);
            }
        }
    }

    /** Mean absolute difference in 8-bit levels between an image and a frame of the same size. */
    static double meanDiff(BufferedImage img, Frame f) {
        int w = f.width();
        int h = f.height();
        double sum = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y);
                for (int c = 0; c < 3; c++) {
                    sum += Math.abs(((p >> (16 - 8 * c)) & 0xFF) - f.rgb()[c * w * h + y * w + x] * 255);
                }
            }
        }
        return sum / (3.0 * w * h);
    }

    @Test
    void inputInfoAndTimings() throws Exception {
        assertTrue(html.contains("<th>frame size</th><td>" + W + "x" + H + "</td>"), "frame size");
        double fps = PreviewTest.decode(clip).info().frameRate();
        assertTrue(html.contains("<th>frame rate (fps)</th><td>" + String.format(java.util.Locale.ROOT, "%.3f", fps) + "</td>"), "fps");
        assertTrue(html.contains("<th>frames</th><td>" + FRAMES + "</td>"), "frame count");
        assertTrue(html.contains("<th>model</th><td>daair-s</td>") || html.matches("(?s).*<th>model</th><td>[^<]+</td>.*"), "model");
        Matcher stage = Pattern.compile("data-stage=\"(\\w+)\"").matcher(html);
        List<String> stages = new ArrayList<>();
        while (stage.find()) {
            stages.add(stage.group(1));
        }
        assertEquals(List.of("decode", "classify", "model", "encode"), stages);
    }

    @Test
    @Timeout(120)
    void badInputsGiveOneLineAndNoReport(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report.html");
        Path text = Files.writeString(dir.resolve("notes.mp4"), "this is not a video\n".repeat(50));
        String[][] cases = {
                {dir.resolve("missing.mp4").toString(), report.toString()},
                {text.toString(), report.toString()},
                {"rtsp://camera.invalid/1", report.toString()},
                {clip.toString(), dir.toString()},
                {clip.toString(), "/proc/daair-no-such-dir/report.html"},
        };
        for (String[] c : cases) {
            CliTestSupport.Result r = CliTestSupport.run("report", c[0], "-o", c[1], "--model", CliTestSupport.models().toString(),
                    "--no-progress");
            assertNotEquals(0, r.exit(), "exit code for " + c[0] + " -> " + c[1]);
            String err = r.stderr().strip();
            assertTrue(err.startsWith("daair: error: "), err);
            assertEquals(1, err.lines().count(), err);
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(List.of(text), s.toList(), "something left behind for " + c[0]);
            }
        }
    }

    @Test
    void helpExplainsEachOption() {
        String usage = new picocli.CommandLine(new Main()).getSubcommands().get("report").getUsageMessage();
        for (String must : new String[] {"--output", "--output-video", "--thumbnails", "--task", "--model", "self-contained", "temporary name"}) {
            assertTrue(usage.contains(must), "help lacks " + must);
        }
    }
}
