package org.daair.stream.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.types.Password;

/**
 * TLS and SASL settings for every Kafka client of daair (producers, consumers, admin), built
 * from the {@code kafka.*} settings of {@code daair.yaml}.
 *
 * <p>Secrets (key store and trust store passwords, the SASL password or a whole JAAS line) are
 * never taken from the settings themselves: each is named by a {@code *_env} key (the name of an
 * environment variable that holds it) or a {@code *_file} key (a file whose content, trailing
 * line breaks removed, is the secret). They are held as Kafka {@link Password} values, which the
 * Kafka clients accept for their password settings and which print as {@code [hidden]}, so
 * neither the client's own configuration log nor {@link #toString()} shows them.
 */
public final class KafkaSecurity {

    /** Plain TCP, no authentication: Kafka's default. */
    public static final KafkaSecurity NONE = new KafkaSecurity(Map.of(), "PLAINTEXT");

    static final List<String> PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    static final List<String> MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER", "GSSAPI");

    private final Map<String, Object> properties;
    private final String summary;

    private KafkaSecurity(Map<String, Object> properties, String summary) {
        this.properties = Map.copyOf(properties);
        this.summary = summary;
    }

    /**
     * Reads the {@code kafka.*} keys of SETTINGS (flat dotted keys, as {@code Settings.asMap()}
     * gives them; missing keys mean empty) and resolves the secrets they name.
     *
     * @param env the environment the {@code *_env} keys refer to ({@code System.getenv()})
     * @throws IllegalArgumentException with a one-line message naming the key and the fix
     */
    public static KafkaSecurity fromSettings(Map<String, String> settings, Map<String, String> env) {
        String protocol = get(settings, "kafka.security_protocol").toUpperCase(Locale.ROOT);
        if (protocol.isEmpty()) {
            protocol = "PLAINTEXT";
        }
        if (!PROTOCOLS.contains(protocol)) {
            throw new IllegalArgumentException("kafka.security_protocol = '" + protocol + "' is not valid: use one of "
                    + String.join(", ", PROTOCOLS));
        }
        Map<String, Object> p = new LinkedHashMap<>();
        StringBuilder sum = new StringBuilder(protocol);
        p.put("security.protocol", protocol);
        boolean tls = protocol.endsWith("SSL");
        boolean sasl = protocol.startsWith("SASL");
        if (tls) {
            String truststore = get(settings, "kafka.ssl_truststore_location");
            if (!truststore.isEmpty()) {
                requireReadable("kafka.ssl_truststore_location", truststore);
                p.put("ssl.truststore.location", truststore);
                optional(settings, "kafka.ssl_truststore_type", "ssl.truststore.type", p);
                Password pw = secret(settings, env, "kafka.ssl_truststore_password", false);
                if (pw != null) {
                    p.put("ssl.truststore.password", pw);
                }
                sum.append(", trust store ").append(truststore);
            }
            String keystore = get(settings, "kafka.ssl_keystore_location");
            if (!keystore.isEmpty()) {
                requireReadable("kafka.ssl_keystore_location", keystore);
                p.put("ssl.keystore.location", keystore);
                optional(settings, "kafka.ssl_keystore_type", "ssl.keystore.type", p);
                Password pw = secret(settings, env, "kafka.ssl_keystore_password", false);
                if (pw != null) {
                    p.put("ssl.keystore.password", pw);
                }
                Password key = secret(settings, env, "kafka.ssl_key_password", false);
                if (key != null) {
                    p.put("ssl.key.password", key);
                }
                sum.append(", client certificate ").append(keystore);
            }
            // "https" (Kafka's default) checks the broker's host name against its certificate
            p.put("ssl.endpoint.identification.algorithm", settings.getOrDefault("kafka.ssl_endpoint_identification", "https").trim());
        } else {
            for (String k : List.of("kafka.ssl_truststore_location", "kafka.ssl_keystore_location")) {
                if (!get(settings, k).isEmpty()) {
                    throw new IllegalArgumentException(k + " is set but kafka.security_protocol is " + protocol
                            + ": use SSL or SASL_SSL to encrypt, or remove it");
                }
            }
        }
        if (sasl) {
            String mechanism = get(settings, "kafka.sasl_mechanism").toUpperCase(Locale.ROOT);
            if (!MECHANISMS.contains(mechanism)) {
                throw new IllegalArgumentException("kafka.sasl_mechanism = '" + mechanism + "' is not valid with " + protocol
                        + ": use one of " + String.join(", ", MECHANISMS));
            }
            p.put("sasl.mechanism", mechanism);
            sum.append(", SASL ").append(mechanism);
            Password jaas = secret(settings, env, "kafka.sasl_jaas_config", false);
            String user = get(settings, "kafka.sasl_username");
            if (jaas != null) {
                if (!user.isEmpty()) {
                    throw new IllegalArgumentException("kafka.sasl_username and kafka.sasl_jaas_config_* are both set: "
                            + "give either a user name and password or a whole JAAS line");
                }
                p.put("sasl.jaas.config", jaas);
                sum.append(" (JAAS from ").append(secretSource(settings, "kafka.sasl_jaas_config")).append(')');
            } else if (!user.isEmpty()) {
                String module = switch (mechanism) {
                    case "PLAIN" -> "org.apache.kafka.common.security.plain.PlainLoginModule";
                    case "SCRAM-SHA-256", "SCRAM-SHA-512" -> "org.apache.kafka.common.security.scram.ScramLoginModule";
                    default -> throw new IllegalArgumentException("kafka.sasl_username works with PLAIN and SCRAM; for "
                            + mechanism + " give the JAAS line in kafka.sasl_jaas_config_env or kafka.sasl_jaas_config_file");
                };
                Password pw = secret(settings, env, "kafka.sasl_password", true);
                p.put("sasl.jaas.config", new Password(module + " required username=\"" + jaasEscape(user)
                        + "\" password=\"" + jaasEscape(pw.value()) + "\";"));
                sum.append(", user ").append(user).append(", password from ").append(secretSource(settings, "kafka.sasl_password"));
            } else if (!mechanism.equals("GSSAPI")) {
                throw new IllegalArgumentException("kafka.security_protocol " + protocol + " needs credentials: set kafka.sasl_username "
                        + "and kafka.sasl_password_env (or _file), or kafka.sasl_jaas_config_env (or _file)");
            }
        } else if (!get(settings, "kafka.sasl_mechanism").isEmpty() || !get(settings, "kafka.sasl_username").isEmpty()) {
            throw new IllegalArgumentException("kafka.sasl_* is set but kafka.security_protocol is " + protocol
                    + ": use SASL_SSL (or SASL_PLAINTEXT on a trusted network)");
        }
        return protocol.equals("PLAINTEXT") && p.size() == 1 ? NONE : new KafkaSecurity(p, sum.toString());
    }

    /** The client properties to add to producer, consumer and admin configurations. */
    public Map<String, Object> clientProperties() {
        return properties;
    }

    /** security.protocol: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. */
    public String protocol() {
        return (String) properties.getOrDefault("security.protocol", "PLAINTEXT");
    }

    /** What is used, where the secrets come from, never a secret: "SASL_SSL, trust store ..., SASL PLAIN, user alice, ...". */
    @Override
    public String toString() {
        return summary;
    }

    /** The client properties with every password shown as [hidden], sorted: safe to log. */
    public String describeProperties() {
        return new TreeMap<>(properties).toString();
    }

    // ------------------------------------------------------------------ helpers

    private static String get(Map<String, String> s, String key) {
        String v = s.get(key);
        return v == null ? "" : v.trim();
    }

    private static void optional(Map<String, String> s, String key, String property, Map<String, Object> p) {
        String v = get(s, key);
        if (!v.isEmpty()) {
            p.put(property, v);
        }
    }

    private static void requireReadable(String key, String file) {
        Path p = Path.of(file);
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new IllegalArgumentException(key + " = '" + file + "': no such readable file");
        }
    }

    private static String secretSource(Map<String, String> s, String base) {
        String env = get(s, base + "_env");
        return env.isEmpty() ? "file " + get(s, base + "_file") : "environment variable " + env;
    }

    /** The secret named by BASE_env or BASE_file, or null when neither is set and it is optional. */
    static Password secret(Map<String, String> s, Map<String, String> env, String base, boolean required) {
        String envName = get(s, base + "_env");
        String file = get(s, base + "_file");
        if (!envName.isEmpty() && !file.isEmpty()) {
            throw new IllegalArgumentException(base + "_env and " + base + "_file are both set: keep one");
        }
        if (!envName.isEmpty()) {
            String v = env.get(envName);
            if (v == null || v.isEmpty()) {
                throw new IllegalArgumentException(base + "_env names the environment variable " + envName
                        + ", which is not set or empty: export it before starting daair");
            }
            return new Password(v);
        }
        if (!file.isEmpty()) {
            String v;
            try {
                v = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(base + "_file = '" + file + "' cannot be read ("
                        + e.getClass().getSimpleName() + "): check the path and its permissions");
            }
            v = v.replaceAll("[\\r\\n]+$", "");
            if (v.isEmpty()) {
                throw new IllegalArgumentException(base + "_file = '" + file + "' is empty");
            }
            return new Password(v);
        }
        if (required) {
            throw new IllegalArgumentException(base + " is needed: set " + base + "_env (an environment variable's name) or "
                    + base + "_file (a file holding it)");
        }
        return null;
    }

    private static String jaasEscape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
