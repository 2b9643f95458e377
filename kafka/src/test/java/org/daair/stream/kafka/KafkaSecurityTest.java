package org.daair.stream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kafka.* settings to client configs: passed through to every client, secrets from env/files, never printed. */
class KafkaSecurityTest {

    private static final String TS_SECRET = "ts-Secret-1";
    private static final String SASL_SECRET = "pa\"ss\\Secret-2";

    private static Path truststore(Path dir, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        Path p = dir.resolve("trust.p12");
        try (OutputStream os = Files.newOutputStream(p)) {
            ks.store(os, password.toCharArray());
        }
        return p;
    }

    private static Map<String, String> saslSsl(Path truststore) {
        Map<String, String> s = new HashMap<>();
        s.put("kafka.security_protocol", "SASL_SSL");
        s.put("kafka.ssl_truststore_location", truststore.toString());
        s.put("kafka.ssl_truststore_type", "PKCS12");
        s.put("kafka.ssl_truststore_password_env", "DAAIR_TEST_TS_PW");
        s.put("kafka.ssl_endpoint_identification", "https");
        s.put("kafka.sasl_mechanism", "SCRAM-SHA-512");
        s.put("kafka.sasl_username", "alice");
        s.put("kafka.sasl_password_env", "DAAIR_TEST_KAFKA_PW");
        return s;
    }

    private static final Map<String, String> ENV = Map.of("DAAIR_TEST_TS_PW", TS_SECRET, "DAAIR_TEST_KAFKA_PW", SASL_SECRET);

    private static void assertNoSecret(String rendered) {
        assertFalse(rendered.contains("Secret-1") || rendered.contains("Secret-2"), "secret shown: " + rendered);
    }

    @Test
    void settingsReachEveryClientConfigAndSecretsArePasswords(@TempDir Path tmp) throws Exception {
        Path ts = truststore(tmp, TS_SECRET);
        KafkaFrames kafka = KafkaFrames.connect("127.0.0.1:1").withSecurity(KafkaSecurity.fromSettings(saslSsl(ts), ENV));
        for (Map<String, Object> c : java.util.List.of(kafka.producerConfig(), kafka.consumerConfig("g"), kafka.adminConfig())) {
            assertEquals("SASL_SSL", c.get("security.protocol"));
            assertEquals("SCRAM-SHA-512", c.get("sasl.mechanism"));
            assertEquals(ts.toString(), c.get("ssl.truststore.location"));
            assertEquals("PKCS12", c.get("ssl.truststore.type"));
            assertEquals("https", c.get("ssl.endpoint.identification.algorithm"));
            assertEquals(TS_SECRET, ((Password) c.get("ssl.truststore.password")).value());
            String jaas = ((Password) c.get("sasl.jaas.config")).value();
            assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" "
                    + "password=\"pa\\\"ss\\\\Secret-2\";", jaas);
            // what a log line or an exception message would show
            assertNoSecret(c.toString());
            assertTrue(c.toString().contains("[hidden]"), c.toString());
        }
        assertNoSecret(kafka.toString());
        assertNoSecret(kafka.security().describeProperties());
        assertEquals("127.0.0.1:1 (SASL_SSL, trust store " + ts + ", SASL SCRAM-SHA-512, user alice, password from environment "
                + "variable DAAIR_TEST_KAFKA_PW)", kafka.toString());
        // the real clients accept every key and value: the JAAS line parses, the trust store opens with its password
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(kafka.producerConfig());
             KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.consumerConfig("g"));
             Admin a = Admin.create(kafka.adminConfig())) {
            assertTrue(p.metrics().size() > 0 && c.metrics().size() > 0 && a.metrics().size() > 0);
        }
    }

    @Test
    void aWrongTrustStorePasswordStopsTheClient(@TempDir Path tmp) throws Exception {
        Path ts = truststore(tmp, "another password");
        KafkaFrames kafka = KafkaFrames.connect("127.0.0.1:1").withSecurity(KafkaSecurity.fromSettings(saslSsl(ts), ENV));
        KafkaException e = assertThrows(KafkaException.class, () -> new KafkaProducer<byte[], byte[]>(kafka.producerConfig()).close(Duration.ZERO));
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertNoSecret(String.valueOf(t.getMessage()));
        }
    }

    @Test
    void secretsFromFiles(@TempDir Path tmp) throws Exception {
        Path jaasFile = Files.writeString(tmp.resolve("jaas"),
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"bob\" password=\"Secret-2\";\n");
        Map<String, String> s = new HashMap<>();
        s.put("kafka.security_protocol", "sasl_plaintext");
        s.put("kafka.sasl_mechanism", "PLAIN");
        s.put("kafka.sasl_jaas_config_file", jaasFile.toString());
        KafkaSecurity sec = KafkaSecurity.fromSettings(s, Map.of());
        Password jaas = (Password) sec.clientProperties().get("sasl.jaas.config");
        assertEquals(Files.readString(jaasFile).strip(), jaas.value());
        assertEquals("SASL_PLAINTEXT, SASL PLAIN (JAAS from file " + jaasFile + ")", sec.toString());
        KafkaFrames kafka = KafkaFrames.connect("127.0.0.1:1").withSecurity(sec);
        assertNoSecret(kafka.producerConfig().toString());
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(kafka.producerConfig())) {
            assertTrue(p.metrics().size() > 0);
        }

        Path pw = Files.writeString(tmp.resolve("pw"), "Secret-2\n");
        s.remove("kafka.sasl_jaas_config_file");
        s.put("kafka.sasl_username", "bob");
        s.put("kafka.sasl_password_file", pw.toString());
        jaas = (Password) KafkaSecurity.fromSettings(s, Map.of()).clientProperties().get("sasl.jaas.config");
        assertEquals("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"bob\" password=\"Secret-2\";",
                jaas.value());
    }

    @Test
    void defaultsAddNothing() {
        Map<String, String> s = Map.of("kafka.security_protocol", "PLAINTEXT", "kafka.sasl_mechanism", "",
                "kafka.ssl_endpoint_identification", "https");
        assertSame(KafkaSecurity.NONE, KafkaSecurity.fromSettings(s, Map.of()));
        KafkaFrames kafka = KafkaFrames.connect("h:1");
        assertFalse(kafka.producerConfig().containsKey("security.protocol"));
        assertFalse(kafka.adminConfig().containsKey("sasl.jaas.config"));
    }

    @Test
    void mistakesAreNamedWithoutShowingSecrets(@TempDir Path tmp) throws Exception {
        Path ts = truststore(tmp, TS_SECRET);
        Map<String, String> s = saslSsl(ts);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KafkaSecurity.fromSettings(s, Map.of("DAAIR_TEST_TS_PW", TS_SECRET)));
        assertEquals("kafka.sasl_password_env names the environment variable DAAIR_TEST_KAFKA_PW, which is not set or empty: "
                + "export it before starting daair", e.getMessage());

        Map<String, String> both = new HashMap<>(s);
        both.put("kafka.sasl_password_file", tmp.resolve("pw").toString());
        e = assertThrows(IllegalArgumentException.class, () -> KafkaSecurity.fromSettings(both, ENV));
        assertTrue(e.getMessage().contains("are both set"), e.getMessage());

        Map<String, String> noCreds = new HashMap<>(s);
        noCreds.remove("kafka.sasl_username");
        noCreds.remove("kafka.sasl_password_env");
        e = assertThrows(IllegalArgumentException.class, () -> KafkaSecurity.fromSettings(noCreds, ENV));
        assertTrue(e.getMessage().contains("needs credentials"), e.getMessage());

        Map<String, String> plainWithSasl = Map.of("kafka.security_protocol", "PLAINTEXT", "kafka.sasl_mechanism", "PLAIN");
        e = assertThrows(IllegalArgumentException.class, () -> KafkaSecurity.fromSettings(plainWithSasl, ENV));
        assertTrue(e.getMessage().contains("SASL_SSL"), e.getMessage());

        Map<String, String> missingStore = new HashMap<>(s);
        missingStore.put("kafka.ssl_truststore_location", tmp.resolve("nope.p12").toString());
        e = assertThrows(IllegalArgumentException.class, () -> KafkaSecurity.fromSettings(missingStore, ENV));
        assertTrue(e.getMessage().startsWith("kafka.ssl_truststore_location"), e.getMessage());

        Map<String, String> missingFile = new HashMap<>(s);
        missingFile.remove("kafka.sasl_password_env");
        missingFile.put("kafka.sasl_password_file", tmp.resolve("no-such-secret").toString());
        e = assertThrows(IllegalArgumentException.class, () -> KafkaSecurity.fromSettings(missingFile, ENV));
        assertTrue(e.getMessage().contains("cannot be read"), e.getMessage());
    }
}
