package org.daair.stream.cli;

import java.io.PrintStream;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.daair.stream.common.StreamInfo;

/** The progress bar of a restore (`restore`, `report`): frames done, elapsed time, ETA and speed. */
final class FrameProgress {

    /**
     * Frames a second as the bar shows them. progressbar's default ("#.0") drops the leading zero,
     * and restoration on a CPU runs under one frame a second: users read ".8 frames/s".
     */
    static final DecimalFormat SPEED = new DecimalFormat("0.0#", DecimalFormatSymbols.getInstance(Locale.ROOT));

    private FrameProgress() {
    }

    /** A bar for INFO's frames (an open-ended one where the source does not tell how many), drawn on OUT. */
    static ProgressBar start(StreamInfo info, PrintStream out) {
        return new ProgressBarBuilder().setTaskName("restoring").setUnit(" frames", 1)
                .setInitialMax(info.frameCount() > 0 ? info.frameCount() : -1)
                .setStyle(ProgressBarStyle.ASCII).showSpeed(SPEED)
                .setConsumer(new ConsoleProgressBarConsumer(out))
                .build();
    }
}
