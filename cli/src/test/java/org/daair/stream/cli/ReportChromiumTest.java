package org.daair.stream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a small image folder, opened in a real browser: headless Chromium (Debian's
 * {@code chromium}; {@code ./test-all} installs it) takes a screenshot and dumps the DOM it built.
 */
class ReportChromiumTest {

    /** Text and charts alone paint a few hundred colours; decoded photos paint tens of thousands. */
    private static final int MIN_COLOURS = 5000;

    static Path chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "chromium");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return fail("chromium is not installed, and this test renders the report in it: install it with "
                + "'apt-get install -y chromium' (./test-all does)");
    }

    /** Runs chromium headless on the page with extra arguments (no shell); returns its standard output. */
    static String runChromium(Path page, Path profile, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("nice", "-n", "15", chromium().toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--hide-scrollbars", "--user-data-dir=" + profile));
        cmd.addAll(List.of(args));
        cmd.add(page.toUri().toString());
        Path err = Files.createTempFile(profile.getParent(), "chromium", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish within 90 s: " + Files.readString(err));
        }
        assertEquals(0, p.exitValue(), "chromium failed: " + Files.readString(err));
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(300)
    void reportRendersWithItsPicturesAndCharts(@TempDir Path tmp) throws Exception {
        chromium(); // fail early, before the restoration, when it is missing
        Path images = SmallInputs.images(tmp, 160, 96);
        long count;
        try (var s = Files.list(images)) {
            count = s.count();
        }
        Path report = tmp.resolve("report.html");
        CliTestSupport.Result r = CliTestSupport.run("report", images.toString(), "-o", report.toString(),
                "--model", CliTestSupport.models().toString(), "--no-progress");
        assertEquals(0, r.exit(), r.stderr());

        Path shot = tmp.resolve("screenshot.png");
        runChromium(report, tmp.resolve("profile"), "--screenshot=" + shot, "--window-size=1200,1600");
        assertTrue(Files.size(shot) > 0, "no screenshot");
        BufferedImage img = ImageIO.read(shot.toFile());
        assertEquals(1200, img.getWidth());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                colours.add(img.getRGB(x, y) & 0xFFFFFF);
            }
        }
        assertTrue(colours.size() > MIN_COLOURS, "the screenshot has only " + colours.size() + " colours: pictures not shown?");

        String dom = runChromium(report, tmp.resolve("profile"), "--dump-dom");
        assertEquals(2 * count, Pattern.compile("<img[^>]+src=\"data:image/jpeg;base64,").matcher(dom).results().count(),
                "an input and a restored thumbnail per image");
        for (String id : new String[] {"route-chart", "confidence-chart", "stage-chart"}) {
            assertTrue(Pattern.compile("<svg[^>]+id=\"" + id + "\"").matcher(dom).find(), "chart " + id + " in the DOM");
        }
        assertTrue(dom.contains("<rect class=\"run\""), "route chart bars in the DOM");
        assertEquals(count, Pattern.compile("<circle[^>]+cy=").matcher(dom).results().count(), "a confidence dot per image");
        try (var s = Files.list(images)) {
            for (Path name : s.map(Path::getFileName).toList()) {
                assertTrue(dom.contains(name.toString()), name + " named in the page");
            }
        }
    }
}
