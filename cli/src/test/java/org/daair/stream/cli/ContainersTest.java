package org.daair.stream.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.kafka.common.Uuid;
import org.daair.stream.cli.metrics.Metrics;
import org.daair.stream.config.ConfigException;
import org.daair.stream.config.Settings;
import org.daair.stream.ingest.Sources;
import org.daair.stream.kafka.KafkaLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The container files in docker/ agree with the code, without a Docker engine: every compose
 * service has a health check; every daair service runs a command line that daair's own picocli
 * model accepts, reaches the broker service, is health-checked and scraped on the metrics port its
 * command really uses, and sets only DAAIR_* variables that are settings (or the launcher's own);
 * the GPU workers reserve a GPU and run with --device gpu; the broker is KRaft with the frame limits
 * of {@link KafkaLimits}; Prometheus and Grafana are wired to each other and to the dashboard; the
 * camera generator's output passes the same checks; the Dockerfiles build every module, run the
 * launcher CI runs as a non-root user, with DJL offline and no rebuild.
 */
class ContainersTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern TCP_CHECK = Pattern.compile("exec 3<>/dev/tcp/(127\\.0\\.0\\.1|localhost)/(\\d+)");
    private static final Set<String> DAAIR_COMMANDS = Set.of("ingest", "worker", "sink");

    private static Path root() {
        Path p = Path.of(System.getProperty("daair.repo.root", "..")).toAbsolutePath().normalize();
        return Files.isDirectory(p.resolve("docker")) ? p : Path.of("..").toAbsolutePath().normalize();
    }

    private static JsonNode yaml(Path p) throws IOException {
        JsonNode n = YAML.readTree(p.toFile());
        assertNotNull(n, p + " is empty");
        return n;
    }

    private static ObjectNode services(JsonNode compose) {
        assertTrue(compose.path("services").isObject(), "compose file without services");
        return (ObjectNode) compose.get("services");
    }

    // ---- compose model helpers -------------------------------------------------------------

    /** Compose's merge of an override file, as far as these files use it: mappings merge, the rest is replaced. */
    private static ObjectNode merge(ObjectNode base, JsonNode override) {
        ObjectNode out = base.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = override.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode mine = out.get(e.getKey());
            if (mine != null && mine.isObject() && e.getValue().isObject()) {
                out.set(e.getKey(), merge((ObjectNode) mine, e.getValue()));
            } else {
                out.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return out;
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n == null || n.isMissingNode() || n.isNull()) {
            return out;
        }
        if (n.isArray()) {
            n.forEach(x -> out.add(x.asText()));
        } else {
            out.addAll(Arrays.asList(n.asText().trim().split("\\s+")));
        }
        return out;
    }

    private static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode e = service.path("environment");
        if (e.isObject()) {
            e.fields().forEachRemaining(f -> env.put(f.getKey(), f.getValue().asText()));
        } else if (e.isArray()) {
            for (JsonNode kv : e) {
                String s = kv.asText();
                int eq = s.indexOf('=');
                env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
        }
        return env;
    }

    private static String healthcheck(String name, JsonNode service) {
        JsonNode h = service.path("healthcheck");
        assertTrue(h.isObject(), "service " + name + " has no healthcheck");
        assertFalse(h.path("disable").asBoolean(false), "service " + name + " disables its healthcheck");
        List<String> test = strings(h.get("test"));
        assertFalse(test.isEmpty() || test.get(0).equals("NONE"), "service " + name + " has an empty healthcheck");
        return String.join(" ", test);
    }

    private static Set<String> dnsNames(String name, JsonNode service) {
        Set<String> names = new TreeSet<>(Set.of(name));
        service.path("networks").forEach(net -> names.addAll(strings(net.get("aliases"))));
        return names;
    }

    private static boolean isDaair(JsonNode service) {
        return service.path("image").asText().startsWith("daair-stream:");
    }

    /** The parse of a compose command by daair's own command line model (what ./daair would run). */
    static ParseResult parseDaair(List<String> args) {
        return new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
    }

    /** The settings a process would load from these environment variables (validated like at start). */
    static Settings settingsFromEnvironment(Map<String, String> daairEnv, Map<String, String> flags) throws ConfigException {
        return Settings.load(null, daairEnv, flags);
    }

    /** DAAIR_* variables: each must be read by the launcher or be the environment form of a settings key. */
    static void checkEnvironment(String where, Map<String, String> env, String launcher) throws ConfigException {
        for (Map.Entry<String, String> e : env.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith("DAAIR_")) {
                continue;
            }
            if (launcher.contains("${" + key + ":-")) {
                continue; // read by the ./daair launcher itself (DAAIR_JAVA_OPTS, DAAIR_NO_BUILD)
            }
            Settings s = settingsFromEnvironment(Map.of(key, e.getValue()), Map.of());
            boolean used = s.asMap().keySet().stream().anyMatch(k -> ("environment " + key).equals(s.origin(k)));
            if (!used) {
                throw new AssertionError(where + ": " + key + " is no setting (config/daair.yaml) and not read by ./daair");
            }
        }
    }

    private static int defaultPort(String command) {
        return switch (command) {
            case "ingest" -> Metrics.INGEST_PORT;
            case "worker" -> Metrics.WORKER_PORT;
            case "sink" -> Metrics.SINK_PORT;
            case "restore" -> Metrics.RESTORE_PORT;
            default -> throw new AssertionError("no metrics port for " + command);
        };
    }

    private static Map<Integer, List<String>> prometheusJobs() throws IOException {
        Map<Integer, List<String>> jobs = new HashMap<>();
        for (JsonNode job : yaml(root().resolve("docker/prometheus.yml")).path("scrape_configs")) {
            for (JsonNode sd : job.path("dns_sd_configs")) {
                jobs.computeIfAbsent(sd.path("port").asInt(), p -> new ArrayList<>()).addAll(strings(sd.get("names")));
            }
        }
        return jobs;
    }

    /** Every check a daair service must pass; the services of one compose project, base file first. */
    private static void checkProject(String what, ObjectNode compose) throws Exception {
        String launcher = Files.readString(root().resolve("daair"));
        ObjectNode services = services(compose);
        Map<Integer, List<String>> jobs = prometheusJobs();
        Map<String, String> sinkOfStream = new HashMap<>();
        Map<String, ParseResult> sinks = new HashMap<>();
        Map<String, String> sourceOfStream = new HashMap<>();
        Set<String> declaredVolumes = new TreeSet<>();
        compose.path("volumes").fieldNames().forEachRemaining(declaredVolumes::add);
        int daairServices = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = what + ": service " + e.getKey();
            JsonNode svc = e.getValue();
            String health = healthcheck(name, svc);
            if (!isDaair(svc)) {
                continue;
            }
            daairServices++;
            List<String> cmd = strings(svc.get("command"));
            ParseResult pr;
            try {
                pr = parseDaair(cmd);
            } catch (CommandLine.ParameterException ex) {
                throw new AssertionError(name + ": `daair " + String.join(" ", cmd) + "` is no valid command line: " + ex.getMessage(), ex);
            }
            assertTrue(pr.hasSubcommand(), name + " runs no daair command");
            ParseResult sub = pr.subcommand();
            String command = sub.commandSpec().name();
            assertTrue(DAAIR_COMMANDS.contains(command), name + " runs `daair " + command + "`, not a pipeline stage");

            // the broker: a service of this project, on the port it advertises
            String bootstrap = sub.matchedOptionValue("--bootstrap", "localhost:9092");
            String host = bootstrap.substring(0, bootstrap.lastIndexOf(':'));
            JsonNode broker = services.get(host);
            assertNotNull(broker, name + ": --bootstrap " + bootstrap + " names no service");
            assertTrue(broker.path("image").asText().startsWith("apache/kafka:"), name + ": " + host + " is not the broker");
            assertTrue(Arrays.stream(environment(broker).getOrDefault("KAFKA_ADVERTISED_LISTENERS", "").split(","))
                            .anyMatch(l -> l.endsWith("://" + bootstrap)),
                    name + ": the broker does not advertise " + bootstrap);
            JsonNode dependsOnBroker = svc.path("depends_on").path(host);
            assertEquals("service_healthy", dependsOnBroker.path("condition").asText(), name + " must wait for a healthy broker");

            // settings from the environment, and the metrics port that the command then really uses
            Map<String, String> env = environment(svc);
            checkEnvironment(name, env, launcher);
            Map<String, String> daairEnv = new HashMap<>(env);
            daairEnv.keySet().removeIf(k -> !k.startsWith("DAAIR_"));
            Integer flagPort = sub.matchedOptionValue("--metrics-port", null);
            Settings settings = settingsFromEnvironment(daairEnv, flagPort == null ? Map.of() : Map.of("metrics.port", flagPort.toString()));
            int configured = settings.getInt("metrics.port");
            assertNotEquals(0, configured, name + " turns its metrics off, but its healthcheck and Prometheus need them");
            assertFalse(settings.get("metrics.host").startsWith("127."), name + ": metrics on loopback cannot be scraped");
            int port = configured < 0 ? defaultPort(command) : configured;

            Matcher tcp = TCP_CHECK.matcher(health);
            assertTrue(health.contains("bash") && tcp.find(), name + ": healthcheck is not a TCP check of the metrics port: " + health);
            assertEquals(port, Integer.parseInt(tcp.group(2)), name + ": healthcheck port is not the metrics port of `daair " + command + "`");

            List<String> scraped = jobs.get(port);
            assertNotNull(scraped, name + ": docker/prometheus.yml scrapes no job on port " + port);
            Set<String> dns = dnsNames(e.getKey(), svc);
            assertTrue(scraped.stream().anyMatch(dns::contains),
                    name + ": Prometheus looks up " + scraped + " on port " + port + ", but this service answers as " + dns);

            // the image: built from the Dockerfile its tag says, GPU reservation <=> a GPU device
            String image = svc.path("image").asText();
            boolean gpuImage = image.equals("daair-stream:gpu");
            assertTrue(gpuImage || image.equals("daair-stream:cpu"), name + ": image " + image);
            JsonNode build = svc.path("build");
            assertEquals("..", build.path("context").asText(), name + ": build context is the repository root");
            assertEquals(gpuImage ? "docker/Dockerfile.gpu" : "docker/Dockerfile", build.path("dockerfile").asText(), name);
            assertTrue(Files.isRegularFile(root().resolve(build.path("dockerfile").asText())), name);
            String device = command.equals("worker") ? sub.matchedOptionValue("--device", settings.get("model.device")) : "cpu";
            boolean reservesGpu = false;
            for (JsonNode d : svc.path("deploy").path("resources").path("reservations").path("devices")) {
                reservesGpu |= strings(d.get("capabilities")).contains("gpu") && d.path("driver").asText().equals("nvidia");
            }
            boolean usesGpu = device.equals("gpu") || device.equals("tensorrt");
            assertEquals(usesGpu, reservesGpu, name + ": --device " + device + " but GPU reservation " + reservesGpu);
            assertEquals(usesGpu, gpuImage, name + ": --device " + device + " needs the GPU image (and only then)");

            if (command.equals("ingest")) {
                String id = sub.matchedOptionValue("--stream-id", null);
                assertNull(sourceOfStream.put(id, sub.matchedOptionValue("--source", null)), name + ": stream " + id + " ingested twice");
                String src = sourceOfStream.get(id);
                assertTrue(Sources.isUrl(src) || src.startsWith("/") || Files.exists(root().resolve(src)),
                        name + ": the source " + src + " is not in the image");
            } else if (command.equals("sink")) {
                String id = sub.matchedOptionValue("--stream-id", null);
                assertNull(sinkOfStream.put(id, e.getKey()), name + ": stream " + id + " has two sinks");
                sinks.put(id, sub);
                String out = sub.matchedOptionValue("--output", null);
                if (!Sources.isUrl(out)) {
                    boolean mounted = false;
                    for (String v : strings(svc.get("volumes"))) {
                        String[] parts = v.split(":");
                        mounted |= out.startsWith(parts[1] + "/") && declaredVolumes.contains(parts[0]);
                    }
                    assertTrue(mounted, name + ": writes " + out + " outside a declared volume (lost with the container)");
                }
            }
        }
        assertTrue(daairServices > 0, what + ": no daair service");
        for (Map.Entry<String, String> s : sourceOfStream.entrySet()) {
            ParseResult sink = sinks.get(s.getKey());
            assertNotNull(sink, what + ": stream " + s.getKey() + " is ingested but no sink writes it");
            boolean live = Sources.isLive(s.getValue());
            assertEquals(live, sink.hasMatchedOption("--live-deadline-ms"),
                    what + ": the sink of " + s.getKey() + (live ? " (a live camera) needs" : " (a file) must not have") + " --live-deadline-ms");
        }
        assertEquals(sourceOfStream.keySet(), sinks.keySet(), what + ": every sink has an ingest");
    }

    // ---- tests ---------------------------------------------------------------------------------

    @Test
    void composeHasTheServicesAndEachPassesTheChecks() throws Exception {
        ObjectNode compose = (ObjectNode) yaml(root().resolve("docker/compose.yaml"));
        assertEquals(new TreeSet<>(List.of("kafka", "worker", "ingest-sample", "sink-sample", "prometheus", "grafana")),
                new TreeSet<>(iterable(services(compose).fieldNames())));
        // the example camera is opt-in, so that it does not run beside real cameras
        for (String example : List.of("ingest-sample", "sink-sample")) {
            assertEquals(List.of("example"), strings(services(compose).get(example).get("profiles")), example);
        }
        assertTrue(Files.isRegularFile(root().resolve("samples/car-park-rain.mp4")));
        checkProject("compose.yaml", compose);
        // the CPU worker: no GPU, scaled with --scale (no fixed container name or host port)
        JsonNode worker = services(compose).get("worker");
        assertFalse(worker.has("container_name") || worker.has("ports"), "worker cannot be scaled with a container name or host port");
    }

    @Test
    void gpuOverrideGivesWorkersAGpuAndTheGpuDevice() throws Exception {
        ObjectNode compose = (ObjectNode) yaml(root().resolve("docker/compose.yaml"));
        JsonNode gpu = yaml(root().resolve("docker/compose.gpu.yaml"));
        assertEquals(List.of("worker"), List.copyOf(new TreeSet<>(iterable(services((ObjectNode) gpu).fieldNames()))),
                "the GPU override changes the worker pool only");
        ObjectNode merged = merge(compose, gpu);
        checkProject("compose.yaml + compose.gpu.yaml", merged);
        JsonNode worker = services(merged).get("worker");
        ParseResult sub = parseDaair(strings(worker.get("command"))).subcommand();
        assertEquals("worker", sub.commandSpec().name());
        assertEquals("gpu", sub.matchedOptionValue("--device", "cpu"));
        JsonNode devices = worker.path("deploy").path("resources").path("reservations").path("devices");
        assertEquals(1, devices.size());
        assertEquals(1, devices.get(0).path("count").asInt(), "one GPU per replica");
        assertEquals("daair-stream:gpu", worker.path("image").asText());
    }

    @Test
    void cameraGeneratorWritesAnIngestAndASinkPerCamera() throws Exception {
        Map<String, String> env = Map.of(
                "CAMERAS", "gate=rtsp://10.0.0.5/s1?user=a&x=* yard=samples/car-park-rain.mp4\nroof=srt://10.0.0.7:9000",
                "GPUS", "0 1");
        Run r = run(env);
        assertEquals(0, r.status, r.stderr);
        ObjectNode cameras = (ObjectNode) YAML.readTree(r.stdout);
        assertEquals(new TreeSet<>(List.of("ingest-gate", "sink-gate", "ingest-yard", "sink-yard", "ingest-roof", "sink-roof",
                        "worker-gpu0", "worker-gpu1")), new TreeSet<>(iterable(services(cameras).fieldNames())));
        JsonNode ingestGate = services(cameras).get("ingest-gate");
        ParseResult gate = parseDaair(strings(ingestGate.get("command"))).subcommand();
        assertEquals("rtsp://10.0.0.5/s1?user=a&x=*", gate.matchedOptionValue("--source", null), "URL kept as it is (no globbing)");
        assertEquals("gate", gate.matchedOptionValue("--stream-id", null));
        assertEquals("unless-stopped", ingestGate.path("restart").asText(), "a camera comes back after a crash");
        assertEquals("on-failure", services(cameras).get("ingest-yard").path("restart").asText(), "a file is not replayed");
        assertEquals(List.of("1"), strings(services(cameras).get("worker-gpu1").path("deploy").path("resources")
                .path("reservations").path("devices").get(0).get("device_ids")), "worker-gpu1 is pinned to GPU 1");

        ObjectNode compose = (ObjectNode) yaml(root().resolve("docker/compose.yaml"));
        ObjectNode withCameras = merge(compose, cameras);
        // the example camera is not started with the generated ones (its profile is not given)
        services(withCameras).remove(List.of("ingest-sample", "sink-sample"));
        checkProject("compose.yaml + generated cameras", withCameras);
        checkProject("compose.yaml + generated cameras + compose.gpu.yaml", merge(withCameras, yaml(root().resolve("docker/compose.gpu.yaml"))));

        // sink output template
        Run pushed = run(Map.of("CAMERAS", "gate=rtsp://cam/1", "SINK_OUTPUT", "rtmp://media/live/{name}"));
        ParseResult sink = parseDaair(strings(services((ObjectNode) YAML.readTree(pushed.stdout)).get("sink-gate").get("command"))).subcommand();
        assertEquals("rtmp://media/live/gate", sink.matchedOptionValue("--output", null));

        // bad entries: an error, and nothing on stdout (no half-written compose file)
        for (String bad : List.of("Gate=rtsp://cam/1", "gate", "gate=rtsp://a gate=rtsp://b", "")) {
            Run b = run(Map.of("CAMERAS", bad));
            assertNotEquals(0, b.status, "CAMERAS=" + bad + " is refused");
            assertEquals("", b.stdout.strip(), "CAMERAS=" + bad + " writes nothing");
            assertTrue(b.stderr.startsWith("cameras.sh: "), b.stderr);
        }
    }

    @Test
    void theChecksRefuseWhatIsWrong() throws Exception {
        // an option that does not exist, a missing required one, a command that does not exist
        assertThrows(CommandLine.ParameterException.class, () -> parseDaair(List.of("worker", "--bootstrap", "kafka:9092", "--gpu")));
        assertThrows(CommandLine.ParameterException.class, () -> parseDaair(List.of("sink", "--stream-id", "a")));
        assertThrows(CommandLine.ParameterException.class, () -> parseDaair(List.of("encode", "x")));
        assertDoesNotThrow(() -> parseDaair(List.of("worker", "--bootstrap", "kafka:9092", "--device", "gpu")));
        // settings: a misspelt key is not a setting; a bad value is refused when loaded
        String launcher = Files.readString(root().resolve("daair"));
        assertDoesNotThrow(() -> checkEnvironment("t", Map.of("DAAIR_ENGINE_MAX_BATCH", "8", "DAAIR_NO_BUILD", "1",
                "DAAIR_JAVA_OPTS", "-Xmx2g", "PATH", "/bin"), launcher));
        assertThrows(AssertionError.class, () -> checkEnvironment("t", Map.of("DAAIR_ENGINE_MAX_BATCHES", "8"), launcher));
        assertThrows(AssertionError.class, () -> checkEnvironment("t", Map.of("DAAIR_KAFKA_SASL_PASSWORD", "x"), launcher));
        assertThrows(ConfigException.class, () -> checkEnvironment("t", Map.of("DAAIR_ENGINE_MAX_BATCH", "many"), launcher));
        // a compose file whose worker asks for a GPU without reserving one fails the project check
        ObjectNode compose = (ObjectNode) yaml(root().resolve("docker/compose.yaml"));
        ((ObjectNode) services(compose).get("worker")).set("command",
                YAML.valueToTree(List.of("worker", "--bootstrap", "kafka:9092", "--device", "gpu")));
        assertThrows(AssertionError.class, () -> checkProject("broken", compose));
        ObjectNode wrongPort = (ObjectNode) yaml(root().resolve("docker/compose.yaml"));
        ((ObjectNode) services(wrongPort).get("worker")).set("command",
                YAML.valueToTree(List.of("worker", "--bootstrap", "kafka:9092", "--metrics-port", "9999")));
        assertThrows(AssertionError.class, () -> checkProject("broken", wrongPort));
    }

    @Test
    void brokerIsKraftWithTheFrameLimits() throws Exception {
        JsonNode kafka = services((ObjectNode) yaml(root().resolve("docker/compose.yaml"))).get("kafka");
        String kafkaVersion = pomProperty(root().resolve("pom.xml"), "kafka.version");
        assertEquals("apache/kafka:" + kafkaVersion, kafka.path("image").asText(), "the broker release of the clients");
        Map<String, String> env = environment(kafka);
        assertEquals(Set.of("broker", "controller"), Set.of(env.get("KAFKA_PROCESS_ROLES").split(",")), "KRaft, one node");
        assertFalse(env.keySet().stream().anyMatch(k -> k.contains("ZOOKEEPER")));
        assertDoesNotThrow(() -> Uuid.fromString(env.get("CLUSTER_ID")), "CLUSTER_ID must be a Kafka UUID (kafka-storage random-uuid)");
        Map<Object, Object> limits = new HashMap<>();
        KafkaLimits.DEFAULT.applyToBroker(limits);
        for (Map.Entry<Object, Object> l : limits.entrySet()) {
            String var = "KAFKA_" + l.getKey().toString().toUpperCase().replace('.', '_');
            assertEquals(l.getValue(), env.get(var), var + ": frames as large as the clients send must fit");
        }
        String health = healthcheck("kafka", kafka);
        assertTrue(health.contains("/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092"), health);
        assertTrue(env.get("KAFKA_LISTENERS").contains("PLAINTEXT://:9092"));
        String logDirs = env.get("KAFKA_LOG_DIRS");
        assertTrue(strings(kafka.get("volumes")).stream().anyMatch(v -> v.endsWith(":" + logDirs)), "the log is on a volume");
    }

    @Test
    void prometheusAndGrafanaAreWiredToTheDashboard() throws Exception {
        ObjectNode services = services((ObjectNode) yaml(root().resolve("docker/compose.yaml")));
        JsonNode prometheus = services.get("prometheus");
        assertTrue(strings(prometheus.get("volumes")).contains("./prometheus.yml:/etc/prometheus/prometheus.yml:ro"));
        assertTrue(Files.isRegularFile(root().resolve("docker/prometheus.yml")));
        assertTrue(healthcheck("prometheus", prometheus).contains("http://localhost:9090/-/healthy"));
        Map<Integer, List<String>> jobs = prometheusJobs();
        // the distributed processes; a one-process restore has no compose service to find
        assertEquals(Set.of(Metrics.INGEST_PORT, Metrics.WORKER_PORT, Metrics.SINK_PORT), jobs.keySet());

        JsonNode grafana = services.get("grafana");
        Map<String, String> mounts = new HashMap<>();
        for (String v : strings(grafana.get("volumes"))) {
            String[] p = v.split(":");
            assertTrue(Files.exists(root().resolve("docker").resolve(p[0]).normalize()), "grafana mounts " + p[0] + ", which is missing");
            mounts.put(p[1], p[0]);
        }
        assertEquals("./grafana/provisioning", mounts.get("/etc/grafana/provisioning"));
        JsonNode ds = yaml(root().resolve("docker/grafana/provisioning/datasources/prometheus.yaml")).path("datasources").get(0);
        assertEquals("prometheus", ds.path("type").asText());
        assertEquals("http://prometheus:9090", ds.path("url").asText(), "the prometheus service on its port");
        JsonNode provider = yaml(root().resolve("docker/grafana/provisioning/dashboards/daair.yaml")).path("providers").get(0);
        String dir = provider.path("options").path("path").asText();
        assertEquals("./grafana/daair-dashboard.json", mounts.get(dir + "/daair-dashboard.json"), "the dashboard is where Grafana loads it from");
        JsonNode dashboard = new ObjectMapper().readTree(root().resolve("docker/grafana/daair-dashboard.json").toFile());
        assertEquals("prometheus", dashboard.path("templating").path("list").get(0).path("query").asText(),
                "the dashboard's datasource variable picks the provisioned Prometheus");
        assertTrue(healthcheck("grafana", grafana).contains("/api/health"));
        for (Map.Entry<String, JsonNode> s : iterableEntries(services)) {
            if (!isDaair(s.getValue())) {
                String image = s.getValue().path("image").asText();
                assertTrue(image.matches("[^:]+:v?\\d[\\w.-]*"), s.getKey() + ": image " + image + " is not pinned to a release");
            }
        }
    }

    @Test
    void dockerfilesRunTheLauncherAsAnUnprivilegedUserWithDjlOffline() throws Exception {
        String launcher = Files.readString(root().resolve("daair"));
        assertTrue(launcher.contains("-Dai.djl.offline=true") && launcher.contains("OPT_OUT_TRACKING=true"),
                "the launcher sets DJL's offline flags");
        List<String> modules = pomModules(root().resolve("pom.xml"));
        for (String file : List.of("docker/Dockerfile", "docker/Dockerfile.gpu")) {
            boolean gpu = file.endsWith(".gpu");
            List<List<String[]>> stages = dockerStages(Files.readString(root().resolve(file)));
            List<String[]> build = stages.stream().filter(s -> s.get(0)[1].matches("(?i).* AS build")).findFirst()
                    .orElseThrow(() -> new AssertionError(file + ": no build stage"));
            List<String[]> run = stages.get(stages.size() - 1);
            for (List<String[]> stage : stages) {
                String from = stage.get(0)[1].split("\\s+")[0];
                assertTrue(from.matches("[^:]+:[\\w.-]*\\d[\\w.-]*") && !from.endsWith(":latest"), file + ": base image " + from + " is not pinned");
            }
            assertTrue(build.get(0)[1].matches("maven:\\S*temurin-17\\S* AS build"), file + ": build with Maven on a JDK 17");

            // the build: every module of the reactor, Maven as asked, the runtime layout in /opt/daair
            Set<String> copied = new TreeSet<>();
            String buildRun = "";
            for (String[] ins : build) {
                if (ins[0].equals("COPY")) {
                    copied.add(ins[1].split("\\s+")[0]);
                } else if (ins[0].equals("RUN")) {
                    buildRun += ins[1] + "\n";
                }
            }
            assertTrue(copied.containsAll(modules) && copied.containsAll(List.of("pom.xml", "daair", "models", "samples")),
                    file + ": the build stage copies " + copied + ", the reactor needs " + modules);
            assertTrue(buildRun.contains("mvn -B -ntp -DskipTests" + (gpu ? " -Pgpu" : "") + " install"), file + ": " + buildRun);
            assertEquals(gpu, buildRun.contains("-Pgpu"), file);
            Matcher layout = Pattern.compile("docker/runtime-layout\\.sh /src (\\S+) (\\S+)").matcher(buildRun);
            assertTrue(layout.find(), file + ": lays out the runtime with docker/runtime-layout.sh");
            assertTrue(buildRun.contains("--mount=type=cache,target=" + layout.group(2)), file + ": the Maven repository it copies from");
            String home = layout.group(1);

            // the runtime: the launcher from the layout, as a user that is not root, DJL offline, no build
            String workdir = last(run, "WORKDIR");
            assertEquals(home, workdir, file + ": runs where the launcher is");
            assertTrue(run.stream().anyMatch(i -> i[0].equals("COPY") && i[1].equals("--from=build " + home + " " + home)), file);
            String user = last(run, "USER");
            assertNotNull(user, file + ": no USER: the image would run as root");
            assertFalse(user.split(":")[0].matches("root|0"), file + ": runs as " + user);
            assertTrue(run.stream().anyMatch(i -> i[0].equals("RUN") && i[1].contains("useradd") && i[1].contains(" " + user)),
                    file + ": creates the user " + user);
            Map<String, String> env = new HashMap<>();
            for (String[] ins : run) {
                if (ins[0].equals("ENV")) {
                    Matcher kv = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)").matcher(ins[1]);
                    while (kv.find()) {
                        env.put(kv.group(1), kv.group(2).replace("\"", ""));
                    }
                }
            }
            assertEquals("true", env.get("OPT_OUT_TRACKING"), file);
            assertTrue("true".equals(env.get("DJL_OFFLINE")) || env.getOrDefault("JAVA_TOOL_OPTIONS", "").contains("-Dai.djl.offline=true"),
                    file + ": DJL offline for every JVM in the image");
            assertEquals("1", env.get("DAAIR_NO_BUILD"), file + ": the launcher must not try to rebuild (no Maven, no sources)");
            assertEquals("[\"./daair\"]", last(run, "ENTRYPOINT").replace(" ", ""), file + ": the launcher CI runs");
            if (gpu) {
                String from = run.get(0)[1];
                assertTrue(from.startsWith("nvidia/cuda:12.") && from.contains("cudnn") && from.contains("runtime"), file + ": " + from);
                assertTrue(run.stream().anyMatch(i -> i[0].equals("RUN") && i[1].contains("libnvinfer10=")),
                        file + ": TensorRT 10 runtime libraries, pinned");
            }
        }
        // the gpu profile swaps ONNX Runtime for its GPU build
        Document pom = xml(root().resolve("restore-engine/pom.xml"));
        NodeList profiles = pom.getElementsByTagName("profile");
        Element swap = null;
        for (int i = 0; i < profiles.getLength(); i++) {
            Element p = (Element) profiles.item(i);
            if (text(p, "id").equals("gpu")) {
                swap = p;
            }
        }
        assertNotNull(swap, "restore-engine/pom.xml has a gpu profile");
        boolean excludesCpu = false;
        boolean addsGpu = false;
        NodeList deps = swap.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            if (text(d, "artifactId").equals("onnxruntime-engine")) {
                NodeList ex = d.getElementsByTagName("exclusion");
                for (int j = 0; j < ex.getLength(); j++) {
                    excludesCpu |= text((Element) ex.item(j), "groupId").equals("com.microsoft.onnxruntime")
                            && text((Element) ex.item(j), "artifactId").equals("onnxruntime");
                }
            }
            addsGpu |= text(d, "groupId").equals("com.microsoft.onnxruntime") && text(d, "artifactId").equals("onnxruntime_gpu")
                    && text(d, "version").equals("1.29.0");
        }
        assertTrue(excludesCpu, "the gpu profile excludes DJL's CPU onnxruntime");
        assertTrue(addsGpu, "the gpu profile adds onnxruntime_gpu 1.29.0");
    }

    @Test
    void launcherRunsTheBuiltJarWithoutMavenWhenToldNotToBuild(@TempDir Path dir) throws Exception {
        // the image sets DAAIR_NO_BUILD=1: no Maven even with sources around; a missing jar is an error
        Path copy = dir.resolve("daair");
        Files.copy(root().resolve("daair"), copy);
        Files.writeString(dir.resolve("pom.xml"), "<project/>");
        ProcessBuilder pb = new ProcessBuilder("bash", copy.toString(), "--version").redirectErrorStream(true);
        pb.environment().put("DAAIR_NO_BUILD", "1");
        Process q = pb.start();
        q.getOutputStream().close();
        assertTrue(q.waitFor(30, TimeUnit.SECONDS));
        String out = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, q.exitValue(), out);
        assertTrue(out.contains("DAAIR_NO_BUILD=1 but") && !out.contains("building"), out);
    }

    // ---- small utilities -------------------------------------------------------------------

    private record Run(int status, String stdout, String stderr) {
    }

    private static Run run(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", root().resolve("docker/cameras.sh").toString());
        pb.environment().keySet().removeIf(k -> k.equals("CAMERAS") || k.equals("GPUS") || k.equals("SINK_OUTPUT") || k.equals("LIVE_DEADLINE_MS"));
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** Dockerfile instructions per stage, continuation lines joined, comments dropped: {INSTRUCTION, arguments}. */
    static List<List<String[]>> dockerStages(String dockerfile) {
        List<List<String[]>> stages = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : dockerfile.split("\n")) {
            String t = line.strip();
            if (t.startsWith("#") || (t.isEmpty() && cur.length() == 0)) {
                continue;
            }
            if (t.endsWith("\\")) {
                cur.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            cur.append(t);
            String ins = cur.toString().strip();
            cur.setLength(0);
            if (ins.isEmpty()) {
                continue;
            }
            String[] parts = ins.split("\\s+", 2);
            String[] i = {parts[0].toUpperCase(), parts.length > 1 ? parts[1].replaceAll("\\s+", " ") : ""};
            if (i[0].equals("FROM")) {
                stages.add(new ArrayList<>());
            }
            assertFalse(stages.isEmpty(), "instruction before FROM: " + ins);
            stages.get(stages.size() - 1).add(i);
        }
        return stages;
    }

    private static String last(List<String[]> stage, String instruction) {
        String v = null;
        for (String[] i : stage) {
            if (i[0].equals(instruction)) {
                v = i[1];
            }
        }
        return v;
    }

    private static Document xml(Path p) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(p.toFile());
    }

    private static String text(Element e, String child) {
        NodeList n = e.getElementsByTagName(child);
        return n.getLength() == 0 ? "" : n.item(0).getTextContent().strip();
    }

    private static String pomProperty(Path pom, String name) throws Exception {
        NodeList n = xml(pom).getElementsByTagName(name);
        assertEquals(1, n.getLength(), name);
        return n.item(0).getTextContent().strip();
    }

    private static List<String> pomModules(Path pom) throws Exception {
        NodeList n = xml(pom).getElementsByTagName("module");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.getLength(); i++) {
            out.add(n.item(i).getTextContent().strip());
        }
        assertFalse(out.isEmpty());
        return out;
    }

    private static <T> List<T> iterable(Iterator<T> it) {
        List<T> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    private static List<Map.Entry<String, JsonNode>> iterableEntries(ObjectNode n) {
        return iterable(n.fields());
    }
}
