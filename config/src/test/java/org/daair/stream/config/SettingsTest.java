package org.daair.stream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @Test
    void defaultsComeFromTheDocumentedFile() throws Exception {
        Settings s = Settings.defaults();
        assertEquals("auto", s.get("model.task"));
        assertEquals(4, s.getInt("engine.max_batch"));
        assertEquals("", s.get("output.encoder"));
        assertEquals(-1, s.getInt("output.quality"));
        assertEquals("defaults", s.origin("engine.tile_size"));
    }

    @Test
    void fileThenEnvironmentThenFlagsOverride(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("c.yaml");
        Files.writeString(f, "engine:\n  max_batch: 2\n  tile_size: 256\nmodel:\n  task: derain\n");
        Settings s = Settings.load(f, Map.of("DAAIR_ENGINE_MAX_BATCH", "6"), Map.of("model.task", "dehaze"));
        assertEquals(6, s.getInt("engine.max_batch"));
        assertEquals("environment DAAIR_ENGINE_MAX_BATCH", s.origin("engine.max_batch"));
        assertEquals(256, s.getInt("engine.tile_size"));
        assertEquals(f.toString(), s.origin("engine.tile_size"));
        assertEquals("dehaze", s.get("model.task"));
    }

    @Test
    void unquotedOnAndOffAreWordsNotBooleans(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("c.yaml");
        Files.writeString(f, "temporal:\n  stabilize: off\noutput:\n  lossless: true\n");
        Settings s = Settings.load(f, Map.of(), Map.of());
        assertEquals("off", s.get("temporal.stabilize"));
        assertEquals("true", s.get("output.lossless"));
        Files.writeString(f, "temporal:\n  stabilize: on\n");
        assertEquals("on", Settings.load(f, Map.of(), Map.of()).get("temporal.stabilize"));
    }

    @Test
    void errorsNameTheKeyTheSourceAndTheFix(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("c.yaml");
        Files.writeString(f, "engine:\n  max_bach: 2\n");
        ConfigException e = assertThrows(ConfigException.class, () -> Settings.load(f, Map.of(), Map.of()));
        assertTrue(e.getMessage().startsWith("unknown setting 'engine.max_bach' in " + f), e.getMessage());

        e = assertThrows(ConfigException.class, () -> Settings.load(null, Map.of("DAAIR_ENGINE_MAX_BATCH", "zero"), Map.of()));
        assertEquals("engine.max_batch = 'zero' (environment DAAIR_ENGINE_MAX_BATCH) is not a whole number", e.getMessage());

        e = assertThrows(ConfigException.class, () -> Settings.load(null, Map.of(), Map.of("model.task", "sharpen")));
        assertTrue(e.getMessage().contains("use one of auto, denoise, derain, dehaze, deblur, lowlight"), e.getMessage());

        e = assertThrows(ConfigException.class, () -> Settings.load(null, Map.of(), Map.of("engine.tile_overlap", "300")));
        assertTrue(e.getMessage().contains("out of range: use 0..255"), e.getMessage());

        e = assertThrows(ConfigException.class, () -> Settings.load(null, Map.of(), Map.of("engine.coarse_guard_gap", "0")));
        assertTrue(e.getMessage().startsWith("engine.coarse_guard_gap") && e.getMessage().contains("out of range"), e.getMessage());
        assertEquals(0.03, Settings.load(null, Map.of(), Map.of("engine.coarse_guard_gap", "0.03")).getDouble("engine.coarse_guard_gap"), 1e-12);

        Files.writeString(f, "engine: [unclosed\n");
        e = assertThrows(ConfigException.class, () -> Settings.load(f, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("is not valid YAML"), e.getMessage());
    }

    @Test
    void kafkaSecurityKeysAndSecretsNeverInClear(@TempDir Path tmp) throws Exception {
        Settings d = Settings.defaults();
        assertEquals("PLAINTEXT", d.get("kafka.security_protocol"));
        assertEquals("", d.get("kafka.sasl_password_env"));
        Path f = tmp.resolve("c.yaml");
        Files.writeString(f, "kafka:\n  security_protocol: SASL_SSL\n  sasl_mechanism: PLAIN\n  sasl_password_env: KAFKA_PW\n");
        Settings s = Settings.load(f, Map.of(), Map.of());
        assertEquals("KAFKA_PW", s.get("kafka.sasl_password_env"));

        ConfigException e = assertThrows(ConfigException.class,
                () -> Settings.load(null, Map.of(), Map.of("kafka.sasl_password", "hunter2")));
        assertTrue(e.getMessage().contains("kafka.sasl_password_env") && !e.getMessage().contains("hunter2"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> Settings.load(null, Map.of(), Map.of("kafka.security_protocol", "TLS")));
        assertTrue(e.getMessage().contains("use one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> Settings.load(null, Map.of("DAAIR_KAFKA_SASL_PASSWORD_ENV", "my secret!"), Map.of()));
        assertTrue(e.getMessage().contains("NAME of an environment variable") && !e.getMessage().contains("my secret"), e.getMessage());
    }
}
