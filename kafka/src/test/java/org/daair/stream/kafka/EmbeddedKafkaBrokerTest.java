package org.daair.stream.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.daair.stream.common.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {

    @Test
    void restartsOnTheSameDataDirectoryWithItsData(@TempDir Path dir) throws Exception {
        SharedBroker.get(); // a second broker beside the shared one, as a test JVM would have it
        Frame frame = TestFrames.random("cam", 0, 16, 16);
        String clusterId;
        int port;
        long t0 = System.nanoTime();
        try (EmbeddedKafkaBroker b = EmbeddedKafkaBroker.builder().dataDir(dir).start()) {
            clusterId = b.clusterId();
            port = b.port();
            assertTrue(b.createTopic("kept", 1));
            try (FramePublisher out = b.frames().publisher("kept")) {
                out.send(frame);
            }
        }
        double first = (System.nanoTime() - t0) / 1e9;
        assertTrue(Files.exists(dir.resolve(EmbeddedKafkaBroker.STATE_FILE)));
        assertTrue(Files.exists(dir.resolve("kraft-logs/meta.properties")));
        t0 = System.nanoTime();
        int controllerPort;
        try (EmbeddedKafkaBroker b = EmbeddedKafkaBroker.builder().dataDir(dir).start()) {
            assertEquals(clusterId, b.clusterId());
            assertEquals(port, b.port(), "the previous port is reused when free");
            controllerPort = b.controllerPort();
            assertFalse(b.createTopic("kept", 1), "the topic survived");
            try (FrameSubscriber in = b.frames().subscriber("kept", "g")) {
                ReceivedFrame r = in.next(Duration.ofSeconds(30));
                assertNotNull(r);
                assertArrayEquals(frame.rgb(), r.frame().rgb());
                in.commit();
            }
            try (FramePublisher out = b.frames().publisher("kept")) {
                out.send(TestFrames.random("cam", 1, 16, 16));
            }
        }
        double second = (System.nanoTime() - t0) / 1e9;
        // both old ports taken by someone else: the cluster comes up on new ones, data and offsets intact
        try (ServerSocket a = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
             ServerSocket c = new ServerSocket(controllerPort, 50, InetAddress.getLoopbackAddress());
             EmbeddedKafkaBroker b = EmbeddedKafkaBroker.builder().dataDir(dir).start()) {
            assertEquals(clusterId, b.clusterId());
            assertNotEquals(port, b.port());
            assertNotEquals(controllerPort, b.controllerPort());
            try (FrameSubscriber in = b.frames().subscriber("kept", "g")) {
                ReceivedFrame r = in.next(Duration.ofSeconds(30));
                assertNotNull(r);
                assertEquals(1, r.frame().seq(), "group offset survived the restarts");
            }
        }
        System.out.printf("second broker: first run %.1f s, restart %.1f s%n", first, second);
        assertTrue(Files.exists(dir.resolve("kraft-logs")), "a given data directory is never deleted");
    }
}
