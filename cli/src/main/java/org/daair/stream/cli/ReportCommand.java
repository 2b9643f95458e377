package org.daair.stream.cli;

import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.daair.stream.cli.report.DiscardingSink;
import org.daair.stream.cli.report.HtmlReport;
import org.daair.stream.cli.report.ReportData;
import org.daair.stream.cli.report.ReportFile;
import org.daair.stream.cli.report.RunRecorder;
import org.daair.stream.config.Settings;
import org.daair.stream.engine.ModelBundle;
import org.daair.stream.ingest.Sources;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code daair report}: restores a clip or a folder and shows what happened on one self-contained HTML page. */
@Command(name = "report", mixinStandardHelpOptions = true,
        header = "Restore a video or images and write a self-contained HTML report.",
        description = {"Restore a video file or a folder of images and write one self-contained HTML page about it:",
                "before/after pictures of up to --thumbnails evenly spaced frames, the degradation chosen for every",
                "frame and the classifier's confidence in it (inline SVG charts), the time per stage (decode,",
                "classify, model, encode) and the input (size, frame rate, frame count, model). The page loads",
                "nothing from anywhere (pictures are inside it), so it can be mailed or archived. It is written",
                "under a temporary name and renamed when complete: a failed run leaves no report.", ""})
public final class ReportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "INPUT", description = "video file, image, folder of images, or - (y4m on stdin)")
    String input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "REPORT", description = "the HTML page to write, e.g. report.html")
    Path output;

    @Option(names = "--output-video", paramLabel = "OUTPUT",
            description = "also keep the restored output there (anything 'daair restore' writes: video file, folder, ...);"
                    + " by default the restored frames only feed the report")
    String outputVideo;

    @Option(names = "--thumbnails", paramLabel = "N", description = "before/after pairs to show, evenly spaced (default: ${DEFAULT-VALUE})")
    int thumbnails = 12;

    @picocli.CommandLine.Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        if (thumbnails < 1) {
            throw new IllegalArgumentException("--thumbnails must be at least 1, not " + thumbnails);
        }
        if (Sources.isLive(input)) {
            throw new IllegalArgumentException("a report needs a file or a folder, not the live input " + input
                    + ": record a clip first (daair restore " + input + " -o clip.mp4)");
        }
        ReportFile report = new ReportFile(output); // refuse a bad destination before the long part
        Map<String, String> flags = new LinkedHashMap<>();
        if (noProgress) {
            flags.put("output.progress", "false");
        }
        Settings settings = modelOptions.load(flags);
        Path modelDir = RestoreCommand.resolveModelDir(settings.get("model.dir"));
        RestorePipeline pipeline = new RestorePipeline(settings, modelDir);
        RunRecorder recorder = new RunRecorder(thumbnails);
        pipeline.onDecoded(recorder::decoded);
        pipeline.onRouted(recorder::routed);
        pipeline.onWritten(recorder::written);
        if (outputVideo == null) {
            pipeline.sinkOpener((out, info, options) -> new DiscardingSink());
        }
        boolean showProgress = settings.getBoolean("output.progress");
        ProgressBar[] bar = new ProgressBar[1];
        RunSummary summary;
        try {
            summary = pipeline.run(input, outputVideo, n -> {
                if (bar[0] != null) {
                    bar[0].stepTo(n);
                }
            }, info -> {
                recorder.started(info);
                if (showProgress) {
                    bar[0] = FrameProgress.start(info, System.err);
                }
            });
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
        ModelBundle model = ModelBundle.load(modelDir); // already checked by the run: this only reads its name
        ReportData data = new ReportData(input, recorder.info(), recorder.frameSize(), model.name(),
                settings.get("model.task"), settings.get("model.device"), summary, recorder.frames(), recorder.thumbnails(),
                model.degradations(), outputVideo, ZonedDateTime.now());
        report.write(HtmlReport.render(data));
        System.err.println(summary.describe());
        System.err.println("report: " + report.path());
        return 0;
    }
}
