package org.daair.stream.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.CRC32;
import org.daair.stream.cli.eval.EvalReport;
import org.daair.stream.cli.eval.ImagePairs;
import org.daair.stream.cli.eval.ImageQuality;
import org.daair.stream.cli.eval.SyntheticDegradation;
import org.daair.stream.common.Frame;
import org.daair.stream.config.Settings;
import org.daair.stream.engine.RestoreEngine;
import org.daair.stream.engine.Task;
import org.daair.stream.ingest.SourceException;
import org.daair.stream.sink.ImageSink;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code daair eval}: how much the engine restores, measured on images with a clean reference.
 * Each degraded image is restored as {@code restore} would (classified, or the forced task), and
 * PSNR/SSIM of the degraded and the restored image against the clean one are reported per image
 * and on average, with the routes chosen and the routing accuracy where the degradation is known.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Measure quality against a clean reference: images, or a video and its flicker.", "",
                "Each degraded image is restored by the engine; PSNR and SSIM of the",
                "degraded input and of the restored image, both against the clean image,",
                "are printed per image and on average, with the route chosen for each",
                "image and, when the degradation is known (--synth, or --expect for a",
                "--degraded folder), the routing accuracy.", "",
                "With two video files (--clean clean.mp4 --degraded degraded.mp4, the",
                "same frames): PSNR, PSNR over moving pixels and flicker (frame-to-frame",
                "change where the clean video is still) of the input, of the frames",
                "restored one by one and of the same frames temporally stabilised", "(temporal.* settings), side by side.", "",
                "Metrics as the model card's (training/daair/metrics.py): RGB rounded to",
                "8 bits; PSNR with peak 255 over all pixels and channels; SSIM of Wang et",
                "al. 2004 with scikit-image's defaults (7x7 uniform window, K1 0.01,",
                "K2 0.03, sample covariance, 3-pixel border left out), per channel, then",
                "averaged.", "",
                "Images are restored whole (no tiling), as the model card's validation",
                "does; --tile restores them as 'restore' does a large video frame.", "",
                "Examples:",
                "  daair eval --clean val/clean --degraded val/degraded --task denoise",
                "  daair eval --clean photos/ --synth noise:25 --json out/eval.json",
                "  daair eval --clean photos/ --synth haze --save out/haze", ""})
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--clean", required = true, paramLabel = "DIR", description = "folder of clean reference images (or a clean video)")
    Path clean;

    @ArgGroup(exclusive = true, multiplicity = "1")
    DegradedInput degradedInput;

    /** Where the degraded images come from: a folder, or synthesised from the clean ones. */
    static final class DegradedInput {
        @Option(names = "--degraded", paramLabel = "DIR",
                description = "folder of degraded images, paired with --clean by file name (extension aside), or a degraded video")
        Path folder;

        @Option(names = "--synth", paramLabel = "KIND",
                description = "degrade the clean images here instead (seeded, repeatable): noise[:SIGMA] (25), "
                        + "haze[:BETA] (1.2), rain[:PEAK] (0.5), blur[:LENGTH px] (11), lowlight[:EXPOSURE] (0.1)")
        String synth;
    }

    @Option(names = "--expect", paramLabel = "TASK",
            description = "the degradation of every --degraded image (denoise, derain, dehaze, deblur, lowlight), for the routing accuracy")
    String expect;

    @Option(names = "--seed", paramLabel = "N", description = "seed of --synth (default 0); each image's noise also depends on its name")
    long seed;

    @Option(names = "--tile", paramLabel = "PX", description = "restore in tiles of PX pixels as 'restore' does (default: whole images)")
    Integer tile;

    @Option(names = "--save", paramLabel = "DIR", description = "also write the degraded and restored images to DIR/degraded and DIR/restored")
    Path save;

    @Option(names = "--json", paramLabel = "FILE", description = "also write every number (per image, means, routes, setup) as JSON to FILE")
    Path json;

    @picocli.CommandLine.Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Override
    public Integer call() throws Exception {
        if (java.nio.file.Files.isRegularFile(clean) && degradedInput.folder != null && java.nio.file.Files.isRegularFile(degradedInput.folder)) {
            return evalVideo();
        }
        SyntheticDegradation synth = degradedInput.synth != null ? SyntheticDegradation.parse(degradedInput.synth) : null;
        String expected = synth != null ? synth.task() : null;
        if (expect != null) {
            Task t = Task.parse(expect);
            if (t == Task.AUTO) {
                throw new IllegalArgumentException("--expect needs a degradation (denoise, derain, dehaze, deblur, lowlight), not auto");
            }
            if (synth != null && !t.id().equals(expected)) {
                throw new IllegalArgumentException("--expect " + t.id() + " contradicts --synth " + synth + " (which " + expected + " undoes)");
            }
            expected = t.id();
        }
        Map<String, String> flags = new LinkedHashMap<>();
        // 8192 is the largest tile size the settings allow: in effect, whole images
        flags.put("engine.tile_size", tile != null ? tile.toString() : "8192");
        Settings settings = modelOptions.load(flags);
        ImagePairs pairs = ImagePairs.of(clean, degradedInput.folder);
        if (!pairs.unmatched().isEmpty()) {
            System.err.println("daair eval: " + pairs.unmatched().size() + " clean image(s) without a degraded partner skipped, e.g. "
                    + pairs.unmatched().get(0));
        }
        Path modelDir = RestoreCommand.resolveModelDir(settings.get("model.dir"));
        RestorePipeline pipeline = new RestorePipeline(settings, modelDir);
        List<EvalReport.ImageResult> results = new ArrayList<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("clean", clean.toString());
        setup.put("degraded", degradedInput.folder != null ? degradedInput.folder.toString() : null);
        setup.put("synth", synth != null ? synth.toString() : null);
        setup.put("seed", synth != null ? seed : null);
        setup.put("task", settings.get("model.task"));
        setup.put("model_dir", modelDir.toString());
        setup.put("tile_size", tile);
        setup.put("metrics", "RGB 8-bit; PSNR peak 255; SSIM skimage defaults (7x7 uniform, sample covariance), mean of channels");
        ImageSink degradedOut = save != null ? new ImageSink(save.resolve("degraded")) : null;
        ImageSink restoredOut = save != null ? new ImageSink(save.resolve("restored")) : null;
        System.err.printf("daair eval: %d pairs from %s, %s, task %s%n", pairs.names().size(), clean,
                synth != null ? "synthesised " + synth + " (seed " + seed + ")" : "degraded " + degradedInput.folder, settings.get("model.task"));
        try (RestoreEngine engine = pipeline.buildEngine()) {
            for (String name : pairs.names()) {
                Frame ref = pairs.loadClean(name);
                Frame degraded = synth != null
                        ? ref.withPixels(synth.apply(ref.rgb(), ref.width(), ref.height(), imageSeed(name)))
                        : pairs.loadDegraded(name);
                if (degraded.width() != ref.width() || degraded.height() != ref.height()) {
                    throw new SourceException("image '" + name + "' is " + ref.width() + "x" + ref.height() + " in --clean but "
                            + degraded.width() + "x" + degraded.height() + " in --degraded: pairs must have the same size");
                }
                String route = engine.route(degraded);
                Frame restored = engine.restore(route, List.of(degraded)).get(0);
                int w = ref.width();
                int h = ref.height();
                results.add(new EvalReport.ImageResult(name, w, h, route,
                        ImageQuality.psnr(ref.rgb(), degraded.rgb()), ImageQuality.psnr(ref.rgb(), restored.rgb()),
                        ImageQuality.ssim(ref.rgb(), degraded.rgb(), w, h), ImageQuality.ssim(ref.rgb(), restored.rgb(), w, h)));
                if (save != null) {
                    degradedOut.write(degraded);
                    restoredOut.write(restored);
                }
            }
        }
        if (save != null) {
            degradedOut.finish();
            restoredOut.finish();
        }
        EvalReport report = new EvalReport(setup, expected, !"auto".equals(settings.get("model.task")), results);
        report.print(System.out);
        if (json != null) {
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), report.toJson());
            System.out.println("results written to " + json);
        }
        return 0;
    }

    /** The synthetic degradation's seed for one image: --seed mixed with the CRC-32 of its name. */
    private long imageSeed(String name) {
        CRC32 crc = new CRC32();
        crc.update(name.getBytes(StandardCharsets.UTF_8));
        return seed * 0x9E3779B97F4A7C15L + crc.getValue();
    }

    /**
     * Two videos (--clean and --degraded files of the same frames): PSNR and flicker of the input,
     * of the frames restored one by one, and of the same frames through the temporal stabiliser
     * (temporal.* settings), side by side from one restoration pass.
     */
    private int evalVideo() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("output.progress", "false");
        flags.put("output.lossless", "true");
        Settings settings = modelOptions.load(flags);
        Map<String, String> off = new LinkedHashMap<>(flags);
        off.put("temporal.stabilize", "off");
        // the pipeline restores frame by frame; the stabiliser configured in settings runs after, on the same frames
        RestorePipeline pipeline = new RestorePipeline(modelOptions.load(off), RestoreCommand.resolveModelDir(settings.get("model.dir")));
        org.daair.stream.engine.TemporalStabilizer stabilizer = RestorePipeline.newStabilizer(settings);
        System.err.printf("daair eval: video %s against %s, task %s, stabiliser strength %s, motion floor %s, threshold %s, radius %s, motion compensation %s, warm start %s, level strength %s%n",
                degradedInput.folder, clean, settings.get("model.task"), settings.get("temporal.strength"),
                settings.get("temporal.motion_floor"), settings.get("temporal.motion_threshold"), settings.get("temporal.motion_radius"),
                settings.get("temporal.motion_compensation"), settings.get("temporal.warm_start"), settings.get("temporal.level_strength"));
        VideoEval.Result r = VideoEval.run(pipeline, clean.toString(), degradedInput.folder.toString(), stabilizer,
                settings.getInt("temporal.warm_start"));
        System.out.print(VideoEval.describe(r));
        if (json != null) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("clean", clean.toString());
            out.put("degraded", degradedInput.folder.toString());
            out.put("task", settings.get("model.task"));
            out.put("stabilizer", Map.of("strength", settings.getDouble("temporal.strength"),
                    "motion_floor", settings.getDouble("temporal.motion_floor"),
                    "motion_threshold", settings.getDouble("temporal.motion_threshold"), "motion_radius", settings.getInt("temporal.motion_radius"),
                    "motion_compensation", settings.getBoolean("temporal.motion_compensation"),
                    "warm_start", settings.getInt("temporal.warm_start"),
                    "level_strength", settings.getDouble("temporal.level_strength")));
            out.put("result", r);
            if (json.getParent() != null) {
                java.nio.file.Files.createDirectories(json.toAbsolutePath().getParent());
            }
            new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), out);
        }
        return 0;
    }
}
