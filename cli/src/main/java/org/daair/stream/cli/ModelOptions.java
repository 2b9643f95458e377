package org.daair.stream.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.daair.stream.config.ConfigException;
import org.daair.stream.config.Settings;
import picocli.CommandLine.Option;

/** The options every command that runs the model shares (a picocli mixin), turned into settings. */
public final class ModelOptions {

    @Option(names = "--task", paramLabel = "TASK",
            description = "auto (default: classify each frame), denoise, derain, dehaze, deblur or lowlight")
    String task;

    @Option(names = "--model", paramLabel = "DIR", description = "folder with the ONNX graphs and model card (default: models/)")
    Path model;

    @Option(names = "--device", paramLabel = "DEVICE", description = "cpu (default) or gpu (NVIDIA; see --engine)")
    String device;

    @Option(names = "--engine", paramLabel = "ENGINE",
            description = "on a GPU: tensorrt (default: TensorRT engines, FP16, cached) or cuda (CUDA only)")
    String engine;

    @Option(names = "--precision", paramLabel = "P", description = "TensorRT precision: fp16 (default, FP32 fallback) or fp32")
    String precision;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML settings (see config/daair.yaml for every key and its default)")
    Path config;

    /** Defaults < --config file < environment < these flags < extra (command-specific flags). */
    Settings load(Map<String, String> extra) throws ConfigException {
        Map<String, String> flags = new LinkedHashMap<>();
        if (task != null) {
            flags.put("model.task", task);
        }
        if (device != null) {
            flags.put("model.device", device);
        }
        if (engine != null) {
            flags.put("model.engine", engine);
        }
        if (precision != null) {
            flags.put("model.precision", precision);
        }
        if (model != null) {
            flags.put("model.dir", model.toString());
        }
        flags.putAll(extra);
        return Settings.load(config, System.getenv(), flags);
    }
}
