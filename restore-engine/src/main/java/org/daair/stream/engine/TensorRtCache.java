package org.daair.stream.engine;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where TensorRT keeps the engines it builds for one graph: one folder per (graph checksum,
 * precision, TensorRT version, GPU name), so an engine is built once and never used with another
 * graph, precision, TensorRT or GPU. Inside it TensorRT names each engine by its input shape
 * profile, which completes the key.
 */
public final class TensorRtCache {

    private TensorRtCache() {
    }

    public static Path folder(Path cacheRoot, Path graph, boolean fp16, String tensorRtVersion, String gpuName) throws IOException {
        return cacheRoot.resolve(key(ModelBundle.sha256(graph), fp16, tensorRtVersion, gpuName));
    }

    static String key(String graphSha256, boolean fp16, String tensorRtVersion, String gpuName) {
        return graphSha256.substring(0, 16) + "-" + (fp16 ? "fp16" : "fp32") + "-trt" + safe(tensorRtVersion) + "-" + safe(gpuName);
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]+", "_");
    }
}
