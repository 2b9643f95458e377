package org.daair.stream.cli.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.daair.stream.common.Frame;
import org.daair.stream.ingest.ImageSource;
import org.daair.stream.ingest.SourceException;

/**
 * Clean images and their degraded versions, paired by file name: the same path relative to each
 * folder, extension aside (clean/kodim01.png pairs with degraded/kodim01.png or kodim01.jpg).
 * Folders are read with the restore command's {@link ImageSource} (same formats, same checks).
 *
 * @param clean     the clean folder
 * @param degraded  the degraded folder, or null when the degradation is synthesised
 * @param names     the pairs' relative names (of the clean files), in path order
 * @param unmatched clean images without a degraded partner (reported, not evaluated)
 */
public record ImagePairs(Path clean, Path degraded, List<String> names, Map<String, Path> cleanFiles,
                         Map<String, Path> degradedFiles, List<String> unmatched) {

    /** Every image of the clean folder, paired with the same-named image of the degraded folder (if given). */
    public static ImagePairs of(Path cleanDir, Path degradedDir) throws IOException {
        Map<Path, int[]> sizes = new java.util.HashMap<>();
        Map<String, Path> clean = byStem(cleanDir, "--clean", sizes);
        Map<String, Path> degraded = degradedDir == null ? Map.of() : byStem(degradedDir, "--degraded", sizes);
        List<String> names = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        Map<String, Path> cleanFiles = new LinkedHashMap<>();
        Map<String, Path> degradedFiles = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : clean.entrySet()) {
            String name = cleanDir.relativize(e.getValue()).toString().replace(java.io.File.separatorChar, '/');
            if (degradedDir == null || degraded.containsKey(e.getKey())) {
                names.add(name);
                cleanFiles.put(name, e.getValue());
                if (degradedDir != null) {
                    Path d = degraded.get(e.getKey());
                    int[] cs = sizes.get(e.getValue());
                    int[] ds = sizes.get(d);
                    if (cs[0] != ds[0] || cs[1] != ds[1]) { // from the headers: fails before the model is loaded
                        throw new SourceException("image '" + name + "' is " + cs[0] + "x" + cs[1] + " in --clean but " + ds[0] + "x" + ds[1]
                                + " in --degraded (" + d + "): pairs must have the same size");
                    }
                    degradedFiles.put(name, d);
                }
            } else {
                unmatched.add(name);
            }
        }
        if (names.isEmpty()) {
            throw new SourceException("no image of '" + cleanDir + "' has a same-named image in '" + degradedDir
                    + "': pairs are matched by file name (extension aside)");
        }
        return new ImagePairs(cleanDir, degradedDir, names, cleanFiles, degradedFiles, unmatched);
    }

    /** The clean image of a pair. */
    public Frame loadClean(String name) throws IOException {
        return load(cleanFiles.get(name), name);
    }

    /** The degraded image of a pair (only with a degraded folder). */
    public Frame loadDegraded(String name) throws IOException {
        return load(degradedFiles.get(name), name);
    }

    private static Frame load(Path file, String name) throws IOException {
        ImageSource src = new ImageSource(file, "eval");
        try {
            Frame f = src.next();
            // the name relative to the folder, so pairs in sub-folders stay apart in the report
            return new Frame(f.streamId(), f.seq(), f.ptsMicros(), f.width(), f.height(), f.rgb(), null, name);
        } finally {
            src.close();
        }
    }

    private static Map<String, Path> byStem(Path dir, String option, Map<Path, int[]> sizes) throws IOException {
        if (!Files.exists(dir)) {
            throw new SourceException(option + " folder '" + dir + "' does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new SourceException(option + " '" + dir + "' is not a folder: give a folder of images");
        }
        ImageSource src = new ImageSource(dir, "eval"); // reads every header: a bad image fails here, named
        Map<String, Path> out = new LinkedHashMap<>();
        for (int i = 0; i < src.files().size(); i++) {
            Path p = src.files().get(i);
            sizes.put(p, src.size(i));
            String rel = dir.relativize(p).toString().replace(java.io.File.separatorChar, '/');
            int dot = rel.lastIndexOf('.');
            String stem = dot > rel.lastIndexOf('/') ? rel.substring(0, dot) : rel;
            Path previous = out.put(stem, p);
            if (previous != null) {
                throw new SourceException(option + " folder has two images named '" + stem + "' (" + previous.getFileName()
                        + ", " + p.getFileName() + "): keep one");
            }
        }
        src.close();
        return out;
    }
}
