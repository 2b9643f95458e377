package org.daair.stream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The progress bar users watch on long restores. */
class FrameProgressTest {

    /** Under one frame a second (a CPU's pace) the speed keeps its leading zero: "0.77", not ".8". */
    @Test
    void framesASecondKeepTheirLeadingZero() {
        assertEquals("0.77", FrameProgress.SPEED.format(0.77));
        assertEquals("0.8", FrameProgress.SPEED.format(0.8));
        assertEquals("25.0", FrameProgress.SPEED.format(25));
    }

    /** `daair restore` on a real clip draws the bar to the end, with frames done and the speed. */
    @Test
    void aRestoreShowsItsFramesAndSpeed(@TempDir Path tmp) throws Exception {
        Path clip = SmallInputs.clip(tmp, 192, 112, 12);
        Path out = tmp.resolve("out.mkv");
        CliTestSupport.Result r = CliTestSupport.run("restore", clip.toString(), "-o", out.toString(),
                "--task", "denoise", "--model", CliTestSupport.models().toString());
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(Files.size(out) > 0);
        String last = null;
        for (String line : r.stderr().split("[\r\n]")) {
            if (line.startsWith("restoring")) {
                last = line;
            }
        }
        assertTrue(last != null && last.contains("12/12 frames"), "no finished bar in:\n" + r.stderr());
        // the speed is "?" until a second has passed (a fast machine may finish in less)
        assertTrue(Pattern.compile("\\d\\.\\d+ frames/s").matcher(last).find()
                || last.contains("(0:00:00 /") && last.endsWith("? frames/s"), last);
        assertFalse(Pattern.compile("\\s\\.\\d").matcher(last).find(), last);
    }
}
