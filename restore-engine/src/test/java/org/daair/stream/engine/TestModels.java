package org.daair.stream.engine;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shipped models are: the repository's models/ folder (surefire sets daair.repo.root). */
final class TestModels {
    private TestModels() {
    }

    static Path root() {
        String r = System.getProperty("daair.repo.root");
        Path p = r != null ? Path.of(r) : Path.of("..").toAbsolutePath().normalize();
        if (!Files.isDirectory(p.resolve("models"))) {
            p = Path.of("..").toAbsolutePath().normalize();
        }
        return p;
    }

    static Path models() {
        return root().resolve("models");
    }
}
