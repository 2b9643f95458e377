package org.daair.stream.cli.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads a metrics endpoint over HTTP, as Prometheus does, and picks values out of the text format. */
public final class Scrapes {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Scrapes() {
    }

    public static String get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError(url + " answered " + r.statusCode());
        }
        return r.body();
    }

    /**
     * The value of the first sample of NAME whose labels contain every one of LABELS (each like
     * {@code stream="main"}), or NaN when there is none.
     */
    public static double value(String scrape, String name, String... labels) {
        for (String line : scrape.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            boolean all = true;
            for (String l : labels) {
                all &= line.contains(l);
            }
            if (all) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    /** Scrapes URL every PERIOD in a background thread until stopped. */
    public static final class Sampler implements AutoCloseable {
        private final List<String> scrapes = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private volatile boolean stop;

        public Sampler(String url, Duration period) {
            thread = new Thread(() -> {
                while (!stop) {
                    try {
                        scrapes.add(get(url));
                        Thread.sleep(period.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        scrapes.add("ERROR " + e);
                    }
                }
            }, "scraper");
            thread.setDaemon(true);
            thread.start();
        }

        public List<String> scrapes() {
            synchronized (scrapes) {
                return new ArrayList<>(scrapes);
            }
        }

        /** The distinct values NAME took over the scrapes, in order of appearance. */
        public List<Double> distinct(String name, String... labels) {
            List<Double> seen = new ArrayList<>();
            for (String s : scrapes()) {
                double v = value(s, name, labels);
                if (!Double.isNaN(v) && (seen.isEmpty() || seen.get(seen.size() - 1) != v)) {
                    seen.add(v);
                }
            }
            return seen;
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.interrupt();
            thread.join(5000);
        }
    }
}
