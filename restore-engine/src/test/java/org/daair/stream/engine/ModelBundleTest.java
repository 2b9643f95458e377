package org.daair.stream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {

    @Test
    void loadsTheShippedModelAndVerifiesChecksums() throws IOException {
        ModelBundle b = ModelBundle.load(TestModels.models());
        assertEquals("daair-s", b.name());
        assertEquals(java.util.List.of("denoise", "derain", "dehaze", "deblur", "lowlight"), b.degradations());
        assertTrue(Files.isRegularFile(b.graph("classifier")));
    }

    @Test
    void refusesAGraphThatDiffersFromTheModelCard(@TempDir Path tmp) throws IOException {
        try (Stream<Path> s = Files.list(TestModels.models())) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Files.copy(p, tmp.resolve(p.getFileName()));
            }
        }
        Path g = tmp.resolve("daair-s-derain.onnx");
        byte[] bytes = Files.readAllBytes(g);
        bytes[bytes.length - 10] ^= 1;
        Files.write(g, bytes);
        IOException e = assertThrows(IOException.class, () -> ModelBundle.load(tmp));
        assertTrue(e.getMessage().contains("checksum mismatch for") && e.getMessage().contains("daair-s-derain.onnx"), e.getMessage());
    }

    @Test
    void explainsAMissingFolder(@TempDir Path tmp) {
        IOException e = assertThrows(IOException.class, () -> ModelBundle.load(tmp.resolve("nope")));
        assertTrue(e.getMessage().startsWith("model folder not found"), e.getMessage());
    }
}
