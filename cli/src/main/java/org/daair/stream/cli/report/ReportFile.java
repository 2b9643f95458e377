package org.daair.stream.cli.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where the report goes. Checked before the (long) restoration starts, and written to a hidden
 * temporary name then renamed, so that a failed run never leaves half a report behind.
 */
public final class ReportFile {

    private final Path target;

    /** @throws IOException in one line when {@code path} cannot become a report */
    public ReportFile(Path path) throws IOException {
        this.target = path.toAbsolutePath().normalize();
        if (target.getFileName() == null || Files.isDirectory(target)) {
            throw new IOException("report output '" + path + "' is a folder: give a file name such as report.html");
        }
        Path existing = target.getParent();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw new IOException("cannot write the report to " + path + ": " + existing + " is not a folder");
        }
        if (!Files.isWritable(existing)) {
            throw new IOException("cannot write the report to " + path + ": folder " + existing + " is not writable");
        }
    }

    public Path path() {
        return target;
    }

    /** Writes {@code html} under a temporary name beside the target and renames it into place. */
    public void write(String html) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + ".part");
        try {
            Files.writeString(tmp, html, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
