package org.daair.stream.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka cluster (KRaft, broker and controller in one node) inside this JVM,
 * on loopback ports: for tests, and for a {@code daair broker --port P --data DIR} command.
 *
 * <p>Start-up is what {@code kafka-storage.sh format --standalone} followed by
 * {@code kafka-server-start.sh} does, through the same classes: {@link StorageTool} formats the log
 * directory once, then {@link KafkaRaftServer} runs the node. What is needed to start again on
 * the same data directory is kept in it ({@value #STATE_FILE}): above all the cluster id, because
 * a log directory formatted with one id refuses another (and formatting again would lose the
 * topics). The ports of the previous run are reused when they are free and no port is given, so
 * clients of the previous run reconnect; otherwise free ones are taken.
 *
 * <p>Data directory layout: {@code daair-broker.properties} (state), {@code server.properties}
 * (the configuration of the last start, for reading), {@code kraft-logs/} (Kafka's log and
 * metadata directory). Without a data directory, a temporary one is used and deleted on close.
 *
 * <p>Cold start takes 8-14 s on two cores, about 2 s more in a JVM that has started one before:
 * tests share one broker per JVM.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** The state file in the data directory. */
    public static final String STATE_FILE = "daair-broker.properties";
    private static final String LOG_DIR = "kraft-logs";
    private static final String CONTROLLER_HOST = "127.0.0.1"; // the controller only talks to itself

    private final Path dataDir;
    private final boolean temporary;
    private final String clusterId;
    private final String host;
    private final String advertisedHost;
    private final int port;
    private final int controllerPort;
    private final int securePort;
    private final KafkaLimits limits;
    private final KafkaRaftServer server;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean closed;

    private EmbeddedKafkaBroker(Builder b) throws IOException {
        this.temporary = b.dataDir == null;
        this.dataDir = temporary ? Files.createTempDirectory("daair-kafka-") : b.dataDir.toAbsolutePath();
        this.host = b.host;
        this.advertisedHost = b.advertisedHost != null ? b.advertisedHost
                : ("0.0.0.0".equals(b.host) || "::".equals(b.host)) ? InetAddress.getLocalHost().getHostName() : b.host;
        this.limits = b.limits;
        boolean ok = false;
        try {
            Files.createDirectories(dataDir);
            Path logDir = dataDir.resolve(LOG_DIR);
            Path meta = logDir.resolve("meta.properties");
            boolean formatted = Files.exists(meta);
            Properties state = load(dataDir.resolve(STATE_FILE));

            String id = state.getProperty("cluster.id");
            if (formatted) {
                // the log directory is the truth: its id is the only one it accepts
                String onDisk = load(meta).getProperty("cluster.id");
                if (onDisk != null) {
                    id = onDisk;
                }
            }
            this.clusterId = id != null ? id : Uuid.randomUuid().toString();

            // the previous controller port when free, else any: a one-voter quorum elects itself
            // whatever its listener port (EmbeddedKafkaBrokerTest restarts it on another one)
            int cport = parsePort(state.getProperty("controller.port"));
            this.controllerPort = formatted && cport > 0 && isFree(CONTROLLER_HOST, cport) ? cport : freePort(CONTROLLER_HOST);

            int p = b.port;
            if (p == 0) {
                int previous = parsePort(state.getProperty("port"));
                p = previous > 0 && isFree(host, previous) ? previous : freePort(host);
            } else {
                requireFree(host, p, "port");
            }
            this.port = p;
            this.securePort = b.secureKeystore != null ? freePort(host) : -1;

            Properties props = serverProperties(logDir, b.properties);
            if (b.secureKeystore != null) {
                addSecureListener(props, b);
            }
            Path config = dataDir.resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(config)) {
                props.store(out, "written by EmbeddedKafkaBroker at each start; edits are overwritten");
            }
            if (!formatted) {
                format(config);
            }
            Properties newState = new Properties();
            newState.setProperty("cluster.id", clusterId);
            newState.setProperty("node.id", "1");
            newState.setProperty("controller.port", Integer.toString(controllerPort));
            newState.setProperty("port", Integer.toString(port));
            try (OutputStream out = Files.newOutputStream(dataDir.resolve(STATE_FILE))) {
                newState.store(out, "EmbeddedKafkaBroker state: reused when the broker starts on this directory again");
            }

            this.server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            try {
                server.startup();
                awaitReady(b.startTimeoutMs);
            } catch (RuntimeException | IOException e) {
                server.shutdown();
                server.awaitShutdown();
                throw e;
            }
            ok = true;
        } catch (RuntimeException e) {
            throw new IOException("Kafka broker did not start in " + dataDir + ": " + e, e);
        } finally {
            if (!ok && temporary) {
                deleteRecursively(dataDir);
            }
        }
    }

    /** A broker on a temporary data directory and free loopback ports, with the default limits. */
    public static EmbeddedKafkaBroker start() throws IOException {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    private Properties serverProperties(Path logDir, Map<String, String> overrides) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.bootstrap.servers", CONTROLLER_HOST + ":" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://" + hostPort(host, port) + ",CONTROLLER://" + CONTROLLER_HOST + ":" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + hostPort(advertisedHost, port));
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", logDir.toString());
        // one node: every internal topic has one replica
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("num.partitions", "1");
        // the 3 s default only helps when many members join at once; a lone restorer should start now
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // two cores: fewer request threads than the defaults (3 network, 8 I/O) lose nothing here
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "4");
        Map<Object, Object> limitProps = new HashMap<>();
        limits.applyToBroker(limitProps);
        limitProps.forEach((k, v) -> p.setProperty((String) k, (String) v));
        overrides.forEach(p::setProperty);
        return p;
    }

    private void addSecureListener(Properties p, Builder b) {
        p.setProperty("listeners", p.getProperty("listeners") + ",SASL_SSL://" + hostPort(host, securePort));
        p.setProperty("advertised.listeners", p.getProperty("advertised.listeners") + ",SASL_SSL://" + hostPort(advertisedHost, securePort));
        p.setProperty("listener.security.protocol.map", p.getProperty("listener.security.protocol.map") + ",SASL_SSL:SASL_SSL");
        p.setProperty("sasl.enabled.mechanisms", "PLAIN");
        StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
        b.secureUsers.forEach((user, pw) -> jaas.append(" user_").append(user).append("=\"").append(pw).append('"'));
        p.setProperty("listener.name.sasl_ssl.plain.sasl.jaas.config", jaas.append(';').toString());
        p.setProperty("listener.name.sasl_ssl.ssl.keystore.location", b.secureKeystore.toAbsolutePath().toString());
        p.setProperty("listener.name.sasl_ssl.ssl.keystore.password", b.secureKeystorePassword);
        p.setProperty("listener.name.sasl_ssl.ssl.key.password", b.secureKeystorePassword);
        p.setProperty("listener.name.sasl_ssl.ssl.keystore.type", "PKCS12");
    }

    /** {@code host:port} of the SASL_SSL listener ({@link Builder#secureListener}). */
    public String secureBootstrapServers() {
        if (securePort < 0) {
            throw new IllegalStateException("this broker has no secure listener: start it with builder().secureListener(...)");
        }
        return hostPort(advertisedHost, securePort);
    }

    private void format(Path config) throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", config.toString(), "--standalone"}, out);
        }
        if (rc != 0) {
            throw new IOException("formatting " + dataDir.resolve(LOG_DIR) + " failed (" + rc + "): "
                    + log.toString(StandardCharsets.UTF_8).trim());
        }
    }

    private void awaitReady(long timeoutMs) throws IOException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            int nodes = admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS).size();
            if (nodes < 1) {
                throw new IOException("broker reports no nodes");
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("broker not ready after " + timeoutMs + " ms: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the broker", e);
        }
    }

    /** {@code host:port} for clients. */
    public String bootstrapServers() {
        return hostPort(advertisedHost, port);
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String clusterId() {
        return clusterId;
    }

    public KafkaLimits limits() {
        return limits;
    }

    /** Clients for this broker with its limits. */
    public KafkaFrames frames() {
        return KafkaFrames.connect(bootstrapServers()).withLimits(limits);
    }

    /**
     * Creates a topic with PARTITIONS partitions and the broker's frame limit unless it exists.
     *
     * @return true if created, false if it existed
     */
    public boolean createTopic(String name, int partitions) {
        return createTopic(name, partitions, limits.messageMaxBytes());
    }

    /** Creates a topic with an explicit {@code max.message.bytes} unless it exists. */
    public boolean createTopic(String name, int partitions, int maxMessageBytes) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            return Topics.ensure(admin, name, partitions,
                    Map.of(org.apache.kafka.common.config.TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxMessageBytes)));
        }
    }

    /** Blocks until {@link #close()} has stopped the broker (for a command that only runs it). */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    /** Stops the broker (controlled shutdown) and deletes a temporary data directory. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (temporary) {
                deleteRecursively(dataDir);
            }
            stopped.countDown();
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker[" + bootstrapServers() + ", cluster " + clusterId + ", " + dataDir + "]";
    }

    // ------------------------------------------------------------------ helpers

    private static String hostPort(String h, int p) {
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + p;
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
        }
        return p;
    }

    private static int parsePort(String s) {
        if (s == null) {
            return 0;
        }
        try {
            int p = Integer.parseInt(s.trim());
            return p > 0 && p < 65536 ? p : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return s.getLocalPort();
        }
    }

    private static boolean isFree(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void requireFree(String host, int port, String what) throws IOException {
        if (!isFree(host, port)) {
            throw new IOException(what + " " + host + ":" + port + " is in use");
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temp dir left behind is not worth failing a close
                }
            });
        } catch (IOException ignored) {
            // same
        }
    }

    /** Where and how to run the broker. */
    public static final class Builder {
        private Path dataDir;
        private int port;
        private String host = "127.0.0.1";
        private String advertisedHost;
        private KafkaLimits limits = KafkaLimits.DEFAULT;
        private final Map<String, String> properties = new HashMap<>();
        private long startTimeoutMs = 60_000;
        private Path secureKeystore;
        private String secureKeystorePassword;
        private Map<String, String> secureUsers;

        private Builder() {
        }

        /**
         * Also listen with SASL_SSL on a free port ({@link #secureBootstrapServers()}): TLS with the
         * certificate in KEYSTORE (PKCS12), clients authenticated by SASL PLAIN as one of USERS
         * (name to password). The plain listener stays for the broker's own use. This is how the
         * clients' {@code kafka.*} security settings are tested end to end.
         */
        public Builder secureListener(Path keystore, String keystorePassword, Map<String, String> users) {
            this.secureKeystore = Objects.requireNonNull(keystore, "keystore");
            this.secureKeystorePassword = Objects.requireNonNull(keystorePassword, "keystorePassword");
            this.secureUsers = Map.copyOf(users);
            return this;
        }

        /** Data directory, created if missing and reused if it holds a cluster; null (default): temporary. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Client port; 0 (default): the port of the previous run on this data directory if free, else any free port. */
        public Builder port(int p) {
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("port " + p);
            }
            this.port = p;
            return this;
        }

        /** Address the client listener binds to (default 127.0.0.1; 0.0.0.0 for other machines). */
        public Builder host(String h) {
            this.host = Objects.requireNonNull(h, "host");
            return this;
        }

        /** Host name given to clients (default: the bind address, or this machine's name for 0.0.0.0). */
        public Builder advertisedHost(String h) {
            this.advertisedHost = h;
            return this;
        }

        /** Record size limits ({@link KafkaLimits#DEFAULT}); clients and topics must use the same. */
        public Builder limits(KafkaLimits l) {
            this.limits = Objects.requireNonNull(l, "limits");
            return this;
        }

        /** Any broker setting, applied last (e.g. {@code log.retention.hours}). */
        public Builder property(String name, String value) {
            properties.put(name, value);
            return this;
        }

        /** How long to wait for the broker to answer after start-up (default 60 s). */
        public Builder startTimeoutMs(long ms) {
            this.startTimeoutMs = ms;
            return this;
        }

        public EmbeddedKafkaBroker start() throws IOException {
            return new EmbeddedKafkaBroker(this);
        }
    }
}
