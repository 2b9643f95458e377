package org.daair.stream.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.daair.stream.common.Frame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code kafka.*} security settings against a broker that demands them: TLS (a certificate made
 * here with the JDK's keytool, for 127.0.0.1) and SASL PLAIN. Frames go through when the settings
 * are right; the client refuses a broker it cannot verify, and the broker refuses a wrong password,
 * each with an error that names the cause and never the secret.
 */
@Timeout(240)
class KafkaSecurityEndToEndTest {

    private static final String STORE_PW = "store-Secret-1";
    private static final String USER_PW = "user-Secret-2";

    @TempDir
    static Path tmp;
    private static EmbeddedKafkaBroker broker;
    private static Path truststore;

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "keytool " + String.join(" ", args) + ": " + out);
    }

    @BeforeAll
    static void secureBroker() throws Exception {
        Path keystore = tmp.resolve("broker.p12");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PW, "-keypass", STORE_PW);
        Path cert = tmp.resolve("broker.pem");
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", STORE_PW,
                "-file", cert.toString());
        truststore = tmp.resolve("trust.p12");
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(),
                "-keystore", truststore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PW);
        broker = EmbeddedKafkaBroker.builder().secureListener(keystore, STORE_PW, Map.of("camera", USER_PW)).start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    /** What an operator writes in daair.yaml (secrets by environment variable and file). */
    private static Map<String, String> settings(Path passwordFile) {
        Map<String, String> s = new HashMap<>();
        s.put("kafka.security_protocol", "SASL_SSL");
        s.put("kafka.ssl_truststore_location", truststore.toString());
        s.put("kafka.ssl_truststore_type", "PKCS12");
        s.put("kafka.ssl_truststore_password_env", "DAAIR_TRUST_PW");
        s.put("kafka.ssl_endpoint_identification", "https");
        s.put("kafka.sasl_mechanism", "PLAIN");
        s.put("kafka.sasl_username", "camera");
        s.put("kafka.sasl_password_file", passwordFile.toString());
        return s;
    }

    private static final Map<String, String> ENV = Map.of("DAAIR_TRUST_PW", STORE_PW);

    private static KafkaFrames client(Map<String, String> settings) {
        return KafkaFrames.connect(broker.secureBootstrapServers()).withLimits(broker.limits())
                .withSecurity(KafkaSecurity.fromSettings(settings, ENV))
                // fail fast in this test instead of retrying for minutes
                .withProducerProperty("max.block.ms", 15_000).withProducerProperty("delivery.timeout.ms", 20_000)
                .withProducerProperty("request.timeout.ms", 10_000);
    }

    private static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    @Test
    void framesTravelOverTlsWithSaslAuthentication() throws Exception {
        Path pw = Files.writeString(tmp.resolve("pw-right"), USER_PW + "\n");
        KafkaFrames kafka = client(settings(pw));
        String topic = "secure-frames";
        assertTrue(kafka.ensureTopic(topic, 1), "the admin client works over SASL_SSL");
        List<Frame> sent = new ArrayList<>();
        try (FramePublisher out = kafka.publisher(topic)) {
            for (int i = 0; i < 5; i++) {
                Frame f = TestFrames.random("cam", i, 24, 16);
                sent.add(f);
                out.send(f);
            }
            out.send(Frame.endOfStream("cam", 5));
        }
        List<Frame> got = new ArrayList<>();
        try (FrameSubscriber in = kafka.subscriber(topic, "secure-group")) {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) {
                ReceivedFrame r = in.next(Duration.ofSeconds(1));
                if (r == null) {
                    continue;
                }
                if (r.frame().isEndOfStream()) {
                    break;
                }
                got.add(r.frame());
            }
        }
        assertEquals(sent.size(), got.size(), "every frame came back through the secure listener");
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(sent.get(i).seq(), got.get(i).seq());
            assertArrayEquals(sent.get(i).rgb(), got.get(i).rgb());
        }
    }

    @Test
    void aWrongPasswordIsRefusedByTheBrokerWithoutShowingIt() throws Exception {
        Path pw = Files.writeString(tmp.resolve("pw-wrong"), "wrong-Secret-3\n");
        KafkaFrames kafka = client(settings(pw));
        Exception e = assertThrows(Exception.class, () -> {
            try (FramePublisher out = kafka.publisher("secure-refused")) {
                out.send(TestFrames.random("cam", 0, 8, 8));
            }
        });
        String all = messages(e);
        assertTrue(all.toLowerCase().contains("authentication"), "the error names the cause: " + all);
        assertFalse(all.contains("Secret"), "no secret in the error: " + all);
    }

    @Test
    void aBrokerWhoseCertificateIsNotTrustedIsRefusedByTheClient() throws Exception {
        Path pw = Files.writeString(tmp.resolve("pw-right-2"), USER_PW + "\n");
        Map<String, String> s = settings(pw);
        // a trust store with another certificate than the broker's (an impostor, or a rotated CA)
        Path other = tmp.resolve("other.p12");
        keytool("-genkeypair", "-alias", "other", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=someone-else", "-keystore", other.toString(), "-storetype", "PKCS12",
                "-storepass", STORE_PW, "-keypass", STORE_PW);
        Path otherCert = tmp.resolve("other.pem");
        keytool("-exportcert", "-rfc", "-alias", "other", "-keystore", other.toString(), "-storepass", STORE_PW,
                "-file", otherCert.toString());
        Path empty = tmp.resolve("other-trust.p12");
        keytool("-importcert", "-noprompt", "-alias", "other", "-file", otherCert.toString(),
                "-keystore", empty.toString(), "-storetype", "PKCS12", "-storepass", STORE_PW);
        s.put("kafka.ssl_truststore_location", empty.toString());
        KafkaFrames kafka = client(s);
        Exception e = assertThrows(Exception.class, () -> {
            try (FramePublisher out = kafka.publisher("secure-untrusted")) {
                out.send(TestFrames.random("cam", 0, 8, 8));
            }
        });
        String all = messages(e);
        assertNotNull(all);
        assertTrue(all.toLowerCase().contains("ssl") || all.toLowerCase().contains("certificat")
                || all.toLowerCase().contains("handshake"), "the error names the TLS failure: " + all);
        assertFalse(all.contains("Secret"), "no secret in the error: " + all);
    }
}
