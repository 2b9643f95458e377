package org.daair.stream.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every shipped graph, run by ONNX Runtime through DJL, reproduces PyTorch's output on the
 * reference tensors written by training/export.py (max abs difference <= 1e-4). */
class ReferenceParityTest {

    static List<Path> references() throws IOException {
        try (Stream<Path> s = Files.list(TestModels.models().resolve("reference"))) {
            // the coarse references run through the engine, not one graph (CoarseDehazeTest)
            List<Path> l = s.filter(p -> p.toString().endsWith(".json") && !p.getFileName().toString().contains("-coarse-"))
                    .sorted().toList();
            assertFalse(l.isEmpty(), "no reference tensors in models/reference");
            return l;
        }
    }

    static float[] read(Path p) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }

    @ParameterizedTest
    @MethodSource("references")
    void graphMatchesPyTorch(Path json) throws Exception {
        JsonNode meta = new ObjectMapper().readTree(json.toFile());
        Path dir = json.getParent();
        float[] x = read(dir.resolve(meta.get("input").asText()));
        float[] expected = read(dir.resolve(meta.get("output").asText()));
        long[] s = new ObjectMapper().convertValue(meta.get("input_shape"), long[].class);
        long[] os = new ObjectMapper().convertValue(meta.get("output_shape"), long[].class);
        try (OnnxGraph g = new OnnxGraph(TestModels.models().resolve(meta.get("graph").asText()), "cpu", 2)) {
            OnnxGraph.Output out = g.run(x, s[0], s[1], s[2], s[3]);
            assertArrayEquals(os, out.shape());
            double max = 0;
            for (int i = 0; i < expected.length; i++) {
                max = Math.max(max, Math.abs(expected[i] - out.data()[i]));
            }
            assertTrue(max <= meta.get("tolerance").asDouble(), json.getFileName() + ": max abs diff " + max);
        }
    }
}
