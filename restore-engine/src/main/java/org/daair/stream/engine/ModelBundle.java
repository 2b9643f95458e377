package org.daair.stream.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The shipped graphs of one model: the manifest written by {@code training/export.py}
 * ({@code NAME.json}: degradations in expert order and graph files) and the checksums in the
 * model card ({@code README.md} beside it). Every graph is checked against the card before use,
 * so a truncated download or a graph swapped without updating the card is refused.
 */
public final class ModelBundle {

    private static final Pattern CARD_ROW = Pattern.compile("^\\|\\s*`?([\\w.+-]+\\.onnx)`?\\s*\\|\\s*`?([0-9a-f]{64})`?\\s*\\|");

    private final Path dir;
    private final String name;
    private final List<String> degradations;
    private final Map<String, Path> graphs;

    private ModelBundle(Path dir, String name, List<String> degradations, Map<String, Path> graphs) {
        this.dir = dir;
        this.name = name;
        this.degradations = List.copyOf(degradations);
        this.graphs = Map.copyOf(graphs);
    }

    /** Loads the single manifest in {@code dir} (or {@code dir/NAME.json}) and verifies checksums. */
    public static ModelBundle load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("model folder not found: " + dir + " (use --model DIR with the folder that holds the .onnx graphs and their model card)");
        }
        // a manifest is a JSON file with a "graphs" object (other JSON, e.g. validation results, may sit beside it)
        List<Path> manifests = new ArrayList<>();
        JsonNode m = null;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                JsonNode n = new ObjectMapper().readTree(p.toFile());
                if (n != null && n.path("graphs").isObject()) {
                    manifests.add(p);
                    m = n;
                }
            }
        }
        if (manifests.size() != 1) {
            throw new IOException("expected exactly one model manifest (a .json with \"graphs\") in " + dir + ", found " + manifests.size());
        }
        String name = m.path("name").asText();
        List<String> degs = new ArrayList<>();
        m.path("degradations").forEach(n -> degs.add(n.asText()));
        Map<String, Path> graphs = new LinkedHashMap<>();
        m.path("graphs").fields().forEachRemaining(e -> graphs.put(e.getKey(), dir.resolve(e.getValue().path("file").asText())));
        if (degs.isEmpty() || !graphs.containsKey("classifier")) {
            throw new IOException("model manifest " + manifests.get(0) + " lists no degradations or no classifier graph");
        }
        Map<String, String> card = readCardChecksums(dir.resolve("README.md"));
        for (Map.Entry<String, Path> g : graphs.entrySet()) {
            Path p = g.getValue();
            String file = p.getFileName().toString();
            if (!Files.isRegularFile(p)) {
                throw new IOException("model graph missing: " + p + " (listed in " + manifests.get(0).getFileName() + ")");
            }
            String expected = card.get(file);
            if (expected == null) {
                throw new IOException("model card " + dir.resolve("README.md") + " has no checksum for " + file);
            }
            String actual = sha256(p);
            if (!expected.equals(actual)) {
                throw new IOException("checksum mismatch for " + p + ": the model card says " + expected + ", the file is " + actual
                        + " (re-export the model or restore the file)");
            }
        }
        return new ModelBundle(dir, name, degs, graphs);
    }

    static Map<String, String> readCardChecksums(Path card) throws IOException {
        if (!Files.isRegularFile(card)) {
            throw new IOException("model card not found: " + card + " (it lists the checksum of every graph)");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(card)) {
            Matcher mt = CARD_ROW.matcher(line);
            if (mt.find()) {
                out.put(mt.group(1), mt.group(2));
            }
        }
        return out;
    }

    public static String sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
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

    public Path dir() {
        return dir;
    }

    public String name() {
        return name;
    }

    /** Degradations in expert order (the classifier's output order). */
    public List<String> degradations() {
        return degradations;
    }

    /** The graph for a key: "auto", "classifier" or a degradation name. */
    public Path graph(String key) {
        Path p = graphs.get(key);
        if (p == null) {
            throw new IllegalArgumentException("model " + name + " has no graph '" + key + "'; it has " + graphs.keySet());
        }
        return p;
    }
}
