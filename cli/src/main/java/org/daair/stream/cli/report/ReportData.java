package org.daair.stream.cli.report;

import java.time.ZonedDateTime;
import java.util.List;
import org.daair.stream.cli.RunSummary;
import org.daair.stream.common.StreamInfo;

/**
 * Everything one report shows.
 *
 * @param input       the input as given on the command line
 * @param info        the source's stream info
 * @param frameSize   e.g. "768x432"
 * @param model       the model's name (from its manifest)
 * @param task        auto or the forced degradation
 * @param device      cpu, gpu or tensorrt
 * @param summary     frames, wall time and time per stage
 * @param frames      every written frame in order
 * @param thumbnails  the sampled frames' before/after pictures
 * @param routes      the model's degradations, in expert order
 * @param outputVideo where the restored output was kept, or null
 * @param created     when the report was made
 */
public record ReportData(String input, StreamInfo info, String frameSize, String model, String task, String device,
                         RunSummary summary, List<FrameRecord> frames, List<RunRecorder.Thumbnail> thumbnails,
                         List<String> routes, String outputVideo, ZonedDateTime created) {
}
