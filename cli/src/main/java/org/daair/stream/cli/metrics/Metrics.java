package org.daair.stream.cli.metrics;

import java.io.IOException;
import org.daair.stream.config.Settings;

/** Starts a process's {@link MetricsServer} as the {@code metrics.*} settings say. */
public final class Metrics {

    /** Default ports per process, so that one host can run one of each. */
    public static final int RESTORE_PORT = 9460;
    public static final int INGEST_PORT = 9461;
    public static final int WORKER_PORT = 9462;
    public static final int SINK_PORT = 9463;

    private Metrics() {
    }

    /**
     * @param defaultPort      the process's port when {@code metrics.port} is -1
     * @param onByDefault      whether metrics run when {@code metrics.port} is -1 (a one-shot file
     *                         restore has no use for them)
     * @return the server, or null when metrics are off
     */
    public static MetricsServer start(String process, Settings s, int defaultPort, boolean onByDefault) throws IOException {
        int port = s.getInt("metrics.port");
        if (port == 0 || (port < 0 && !onByDefault)) {
            return null;
        }
        return MetricsServer.start(process, s.get("metrics.host"), port < 0 ? defaultPort : port);
    }
}
