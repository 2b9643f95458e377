package org.daair.stream.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

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
        return cacheRoot.resolve(key(sha256(graph), fp16, tensorRtVersion, gpuName));
    }

    static String key(String graphSha256, boolean fp16, String tensorRtVersion, String gpuName) {
        return graphSha256.substring(0, 16) + "-" + (fp16 ? "fp16" : "fp32") + "-trt" + safe(tensorRtVersion) + "-" + safe(gpuName);
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]+", "_");
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
