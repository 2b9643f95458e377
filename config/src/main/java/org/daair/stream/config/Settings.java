package org.daair.stream.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Settings as dotted keys ("engine.max_batch"), layered: the documented defaults (daair.yaml,
 * built in) &lt; a user YAML file &lt; environment variables (DAAIR_ENGINE_MAX_BATCH) &lt; flags.
 * Immutable once loaded; {@link #validate()} runs at start so a typo is reported before any work.
 */
public final class Settings {

    /** Keys whose values include the words on and off (not booleans). */
    private static final List<String> ON_OFF_KEYS = List.of("temporal.stabilize");

    private final Map<String, String> values;
    private final Map<String, String> origin;

    private Settings(Map<String, String> values, Map<String, String> origin) {
        this.values = Collections.unmodifiableMap(values);
        this.origin = Collections.unmodifiableMap(origin);
    }

    /**
     * @param file  a YAML file with any subset of the keys, or null
     * @param env   environment (System.getenv() in production)
     * @param flags command-line overrides by dotted key
     */
    public static Settings load(Path file, Map<String, String> env, Map<String, String> flags) throws ConfigException {
        Map<String, String> v = new LinkedHashMap<>();
        Map<String, String> from = new LinkedHashMap<>();
        try (InputStream in = Settings.class.getResourceAsStream("/daair.yaml")) {
            if (in == null) {
                throw new IllegalStateException("built-in daair.yaml missing from the classpath");
            }
            flatten("", new ObjectMapper(new YAMLFactory()).readTree(in), v, from, "defaults");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("config file not found: " + file);
            }
            Map<String, String> user = new LinkedHashMap<>();
            try {
                JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
                if (root != null && !root.isMissingNode() && !root.isNull()) {
                    if (!root.isObject()) {
                        throw new ConfigException("config file " + file + " must be a YAML mapping of sections (model:, engine:, ...)");
                    }
                    flatten("", root, user, new LinkedHashMap<>(), file.toString());
                }
            } catch (IOException e) {
                throw new ConfigException("config file " + file + " is not valid YAML: " + firstLine(e.getMessage()));
            }
            for (Map.Entry<String, String> e : user.entrySet()) {
                requireKnown(v, e.getKey(), "in " + file);
                v.put(e.getKey(), e.getValue());
                from.put(e.getKey(), file.toString());
            }
        }
        for (String key : new ArrayList<>(v.keySet())) {
            String envName = "DAAIR_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
            if (env.containsKey(envName)) {
                v.put(key, env.get(envName));
                from.put(key, "environment " + envName);
            }
        }
        for (Map.Entry<String, String> e : flags.entrySet()) {
            requireKnown(v, e.getKey(), "from the command line");
            v.put(e.getKey(), e.getValue());
            from.put(e.getKey(), "command line");
        }
        // YAML 1.1 reads an unquoted on/off as a boolean: give keys whose values are words their word back
        for (String k : ON_OFF_KEYS) {
            String x = v.get(k);
            if ("true".equals(x)) {
                v.put(k, "on");
            } else if ("false".equals(x)) {
                v.put(k, "off");
            }
        }
        Settings s = new Settings(v, from);
        s.validate();
        return s;
    }

    public static Settings defaults() throws ConfigException {
        return load(null, Map.of(), Map.of());
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, Map<String, String> from, String source) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out, from, source);
            }
        } else if (node.isArray()) {
            List<String> items = new ArrayList<>();
            node.forEach(n -> items.add(n.asText()));
            out.put(prefix, String.join(",", items));
            from.put(prefix, source);
        } else {
            out.put(prefix, node.isNull() ? "" : node.asText());
            from.put(prefix, source);
        }
    }

    private static void requireKnown(Map<String, String> known, String key, String where) throws ConfigException {
        if (known.containsKey(key)) {
            return;
        }
        if (known.containsKey(key + "_env")) {
            // e.g. kafka.sasl_password: a secret in clear in a file or on the command line
            throw new ConfigException("setting '" + key + "' " + where + " would hold a secret in clear: use " + key
                    + "_env (the name of an environment variable holding it) or " + key + "_file (a file holding it)");
        }
        for (String k : known.keySet()) {
            if (key.startsWith(k + ".")) {
                throw new ConfigException("setting '" + k + "' " + where + " takes a single value, not a section ('" + key
                        + "'): write it as " + k.substring(k.lastIndexOf('.') + 1) + ": VALUE");
            }
        }
        String near = closest(known.keySet(), key);
        if (near != null) {
            throw new ConfigException("unknown setting '" + key + "' " + where + ": did you mean '" + near
                    + "'? (config/daair.yaml lists every key)");
        }
        String section = key.contains(".") ? key.substring(0, key.indexOf('.') + 1) : key + ".";
        List<String> same = known.keySet().stream().filter(k -> k.startsWith(section)).toList();
        throw new ConfigException("unknown setting '" + key + "' " + where + "; known settings: "
                + String.join(", ", same.isEmpty() ? known.keySet() : same));
    }

    /** The known key within edit distance 2 of KEY, or null. */
    private static String closest(Iterable<String> known, String key) {
        String best = null;
        int bestD = 3;
        for (String k : known) {
            int d = distance(k, key);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int c = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + c);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** Checks every value's type and range; the message names the key, where it came from and what to use. */
    public void validate() throws ConfigException {
        oneOf("model.task", "auto", "denoise", "derain", "dehaze", "deblur", "lowlight");
        oneOf("model.device", "cpu", "gpu", "tensorrt");
        oneOf("model.engine", "tensorrt", "cuda");
        oneOf("model.precision", "fp16", "fp32");
        intRange("model.gpu_index", 0, 63);
        intRange("model.threads", 0, 1024);
        intRange("engine.max_batch", 1, 256);
        intRange("engine.max_wait_ms", 0, 60_000);
        intRange("engine.tile_size", 64, 8192);
        intRange("engine.tile_overlap", 0, getInt("engine.tile_size") / 2 - 1);
        intRange("engine.coarse_side", 0, 8192);
        if (getInt("engine.coarse_side") != 0 && getInt("engine.coarse_side") < 64) {
            throw new ConfigException("engine.coarse_side must be 0 (off) or at least 64, not " + getInt("engine.coarse_side"));
        }
        oneOf("engine.coarse_guard", "true", "false");
        doubleRange("engine.coarse_guard_gap", 0.005, 0.5);
        doubleRange("engine.route_smoothing", 0, 0.999);
        doubleRange("engine.route_switch_margin", 0, 1);
        intRange("engine.route_hold_frames", 1, 1000);
        intRange("pipeline.queue_frames", 1, 10_000);
        oneOf("temporal.stabilize", "auto", "on", "off");
        doubleRange("temporal.strength", 0, 0.99);
        doubleRange("temporal.motion_threshold", 0.001, 1);
        intRange("temporal.motion_radius", 0, 64);
        oneOf("temporal.motion_compensation", "true", "false");
        intRange("temporal.warm_start", 0, 250);
        doubleRange("temporal.level_strength", 0, 0.999);
        doubleRange("temporal.motion_floor", 0, getDouble("temporal.motion_threshold") * 0.999);
        oneOf("resilience.mode", "auto", "file", "live");
        intRange("resilience.live_timeout_ms", 1, 3_600_000);
        intRange("resilience.file_timeout_ms", 1, 86_400_000);
        oneOf("resilience.file_fallback", "cpu", "fail");
        intRange("resilience.breaker_window", 1, 10_000);
        intRange("resilience.breaker_min_calls", 1, 10_000);
        intRange("resilience.breaker_failure_rate", 1, 100);
        intRange("resilience.breaker_open_ms", 1, 86_400_000);
        intRange("resilience.breaker_half_open_calls", 1, 1000);
        if (!get("input.decoder").matches("[A-Za-z0-9_]*")) {
            throw new ConfigException("input.decoder = '" + get("input.decoder") + "' (" + origin.get("input.decoder")
                    + ") is not a decoder name: use nvdec, e.g. h264_cuvid, or leave it empty for software decoding");
        }
        oneOf("live.reconnect", "true", "false");
        intRange("live.read_timeout_ms", 100, 3_600_000);
        intRange("live.backoff_initial_ms", 1, 3_600_000);
        intRange("live.backoff_max_ms", getInt("live.backoff_initial_ms"), 3_600_000);
        intRange("live.give_up_after_s", 0, 31_536_000);
        oneOf("live.while_gone", "repeat", "pause");
        intRange("live.hold_after_ms", 1, 3_600_000);
        intRange("live.queue_frames", 1, 10_000);
        intRange("metrics.port", -1, 65535);
        intRange("output.bitrate_kbps", 0, 1_000_000);
        oneOf("output.progress", "true", "false");
        oneOf("output.lossless", "true", "false");
        intRange("output.quality", -1, 63);
        oneOf("kafka.security_protocol", "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
        oneOf("kafka.sasl_mechanism", "", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER", "GSSAPI");
        oneOf("kafka.ssl_endpoint_identification", "https", "");
        for (String key : values.keySet()) {
            if (key.endsWith("_env") && !get(key).isEmpty() && !get(key).matches("[A-Za-z_][A-Za-z0-9_]*")) {
                // the usual mistake: the secret itself instead of the variable's name; never echo the value
                throw new ConfigException(key + " (" + origin.get(key) + ") must be the NAME of an environment variable "
                        + "(letters, digits, _), not the secret itself");
            }
        }
        if (!get("output.encoder").matches("[A-Za-z0-9_]*")) {
            throw new ConfigException("output.encoder = '" + get("output.encoder") + "' (" + origin.get("output.encoder")
                    + ") is not an encoder name: use e.g. libx264, libopenh264, h264_nvenc, ffv1, or leave it empty");
        }
    }

    private void oneOf(String key, String... allowed) throws ConfigException {
        String v = get(key);
        if (!Arrays.asList(allowed).contains(v)) {
            throw new ConfigException(key + " = '" + v + "' (" + origin.get(key) + ") is not valid: use one of " + String.join(", ", allowed));
        }
    }

    private void intRange(String key, int lo, int hi) throws ConfigException {
        int v;
        try {
            v = Integer.parseInt(get(key).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " = '" + get(key) + "' (" + origin.get(key) + ") is not a whole number");
        }
        if (v < lo || v > hi) {
            throw new ConfigException(key + " = " + v + " (" + origin.get(key) + ") is out of range: use " + lo + ".." + hi);
        }
    }

    private void doubleRange(String key, double lo, double hi) throws ConfigException {
        double v;
        try {
            v = Double.parseDouble(get(key).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " = '" + get(key) + "' (" + origin.get(key) + ") is not a number");
        }
        if (v < lo || v > hi) {
            throw new ConfigException(key + " = " + v + " (" + origin.get(key) + ") is out of range: use " + lo + ".." + hi);
        }
    }

    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no setting " + key);
        }
        return v;
    }

    public int getInt(String key) {
        return Integer.parseInt(get(key).trim());
    }

    public double getDouble(String key) {
        return Double.parseDouble(get(key).trim());
    }

    public boolean getBoolean(String key) {
        return Boolean.parseBoolean(get(key).trim());
    }

    public List<String> getList(String key) {
        return Arrays.stream(get(key).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Where a value came from ("defaults", a file, "environment X", "command line"). */
    public String origin(String key) {
        return origin.get(key);
    }

    public Map<String, String> asMap() {
        return values;
    }
}
