package org.daair.stream.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One broker for every test class in the JVM: a cold start costs 8-14 s on two cores, so it is
 * started on first use and stopped when the test JVM exits.
 */
final class SharedBroker {

    private static EmbeddedKafkaBroker broker;
    private static final AtomicInteger TOPICS = new AtomicInteger();

    private SharedBroker() {
    }

    static synchronized EmbeddedKafkaBroker get() {
        if (broker == null) {
            long t0 = System.nanoTime();
            try {
                broker = EmbeddedKafkaBroker.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            System.out.printf("shared broker %s started in %.1f s%n", broker.bootstrapServers(), (System.nanoTime() - t0) / 1e9);
            EmbeddedKafkaBroker b = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(b::close, "shared-broker-stop"));
        }
        return broker;
    }

    /** A topic name no other test uses. */
    static String topic(String what) {
        return "test." + what + "." + TOPICS.incrementAndGet();
    }
}
