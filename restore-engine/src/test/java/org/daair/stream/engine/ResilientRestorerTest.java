package org.daair.stream.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.daair.stream.common.Frame;
import org.daair.stream.common.FrameChannel;
import org.daair.stream.common.InProcessTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Fault injection around the real engine (shipped graphs): failures, hangs and garbage output. */
class ResilientRestorerTest {

    static RestoreEngine engine;

    @BeforeAll
    static void load() throws Exception {
        engine = RestoreEngine.builder().setModelDir(TestModels.models()).optTask(Task.DERAIN).optThreads(1)
                .optMaxBatch(4).build();
        engine.restore("derain", frames(1, 0)); // warm up: the first run of a graph is slow
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    static List<Frame> frames(int n, long firstSeq) {
        List<Frame> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(new Frame("cam", firstSeq + i, (firstSeq + i) * 40_000, 32, 24,
                    RestoreEngineTest.scene(32, 24, firstSeq + i), null, null));
        }
        return l;
    }

    static ResilientRestorer.Builder live(FaultyRestorer faulty) {
        return ResilientRestorer.builder().setPrimary(faulty).optClosePrimary(false).optMode(ResilientRestorer.Mode.LIVE)
                .optTimeout(Duration.ofMillis(1000)).optBreaker(4, 2, 50f, Duration.ofMillis(300), 1);
    }

    static void assertPassedThrough(List<Frame> in, List<Frame> out) {
        assertEquals(in.size(), out.size());
        for (int i = 0; i < in.size(); i++) {
            assertArrayEquals(in.get(i).rgb(), out.get(i).rgb(), "frame " + i + " should be the input");
            assertEquals(FrameRestorer.PASSTHROUGH, out.get(i).route());
        }
    }

    static void assertRestored(List<Frame> in, List<Frame> out) {
        assertEquals(in.size(), out.size());
        for (int i = 0; i < in.size(); i++) {
            assertEquals("derain", out.get(i).route());
            assertFalse(java.util.Arrays.equals(in.get(i).rgb(), out.get(i).rgb()), "frame " + i + " should be restored");
        }
    }

    @Test
    void failuresOpenTheBreakerFramesPassThroughAndItClosesAgain() throws Exception {
        FaultyRestorer faulty = new FaultyRestorer(engine);
        try (ResilientRestorer r = live(faulty).build()) {
            List<Frame> in = frames(2, 0);
            assertRestored(in, r.restore("derain", in));

            faulty.set(FaultyRestorer.Fault.THROW);
            assertPassedThrough(in, r.restore("derain", in));
            assertPassedThrough(in, r.restore("derain", in));
            assertEquals(CircuitBreaker.State.OPEN, r.breakerState());
            int callsWhenOpened = faulty.calls.get();
            assertPassedThrough(in, r.restore("derain", in));
            assertEquals(callsWhenOpened, faulty.calls.get(), "an open breaker must not call the engine");

            faulty.set(FaultyRestorer.Fault.NONE);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (r.breakerState() == CircuitBreaker.State.OPEN && System.nanoTime() < deadline) {
                Thread.sleep(20); // it goes half-open by itself after 300 ms
            }
            assertEquals(CircuitBreaker.State.HALF_OPEN, r.breakerState());
            assertRestored(in, r.restore("derain", in));
            assertEquals(CircuitBreaker.State.CLOSED, r.breakerState());
            ResilientRestorer.Stats s = r.stats();
            assertEquals(List.of("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED"), s.transitions());
            assertEquals(6, s.passthroughFrames());
            // 1 success + 1 failure in a window of at least 2 calls is 50 %: open after the first failure
            assertEquals(1, s.failures());
            assertEquals(2, s.rejected());
        }
    }

    @Test
    void aHangingEngineCostsOneTimeoutThenFramesPassThroughAtOnce() throws Exception {
        FaultyRestorer faulty = new FaultyRestorer(engine);
        ResilientRestorer r = live(faulty).build();
        try {
            List<Frame> in = frames(1, 0);
            faulty.set(FaultyRestorer.Fault.HANG);
            long t0 = System.nanoTime();
            assertPassedThrough(in, r.restore("derain", in));
            long first = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(first >= 950 && first < 3000, "the first call should wait for the 1 s timeout, took " + first);
            for (int i = 0; i < 5; i++) {
                long t1 = System.nanoTime();
                assertPassedThrough(in, r.restore("derain", in));
                long ms = (System.nanoTime() - t1) / 1_000_000;
                assertTrue(ms < 100, "while the engine hangs, frames must not wait (took " + ms + " ms)");
            }
            assertEquals(1, r.stats().timeouts());
            faulty.release();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            List<Frame> out = r.restore("derain", in);
            while (FrameRestorer.PASSTHROUGH.equals(out.get(0).route()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
                out = r.restore("derain", in);
            }
            assertRestored(in, out);
        } finally {
            faulty.release();
            r.close();
        }
        assertTrue(r.closedCleanly());
    }

    @Test
    void nanAndBlackOutputIsReplacedByTheInput() {
        FaultyRestorer faulty = new FaultyRestorer(engine);
        try (ResilientRestorer r = live(faulty).build()) {
            List<Frame> in = frames(3, 0);
            faulty.set(FaultyRestorer.Fault.NAN);
            assertPassedThrough(in, r.restore("derain", in));
            faulty.set(FaultyRestorer.Fault.BLACK);
            assertPassedThrough(in, r.restore("derain", in));
            assertEquals(6, r.stats().guardedFrames());
            assertEquals(0, r.stats().failures());
            assertEquals(CircuitBreaker.State.CLOSED, r.breakerState());
        }
    }

    @Test
    void fileModeFinishesOnTheFallbackWithTheSameResult() {
        FaultyRestorer faulty = new FaultyRestorer(engine);
        faulty.set(FaultyRestorer.Fault.THROW);
        try (ResilientRestorer r = ResilientRestorer.builder().setPrimary(faulty).optClosePrimary(false)
                .optFallback(() -> new FaultyRestorer(engine)).build()) {
            for (long seq = 0; seq < 12; seq += 3) {
                List<Frame> in = frames(3, seq);
                List<Frame> out = r.restore("derain", in);
                List<Frame> direct = engine.restore("derain", in);
                for (int i = 0; i < in.size(); i++) {
                    assertArrayEquals(direct.get(i).rgb(), out.get(i).rgb());
                }
            }
            assertEquals(12, r.stats().fallbackFrames());
            assertEquals(0, r.stats().passthroughFrames());
        }
    }

    @Test
    void fileModeWithoutFallbackFailsClearly() {
        FaultyRestorer faulty = new FaultyRestorer(engine);
        faulty.set(FaultyRestorer.Fault.THROW);
        try (ResilientRestorer r = ResilientRestorer.builder().setPrimary(faulty).optClosePrimary(false).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.restore("derain", frames(1, 0)));
            assertTrue(e.getMessage().contains("injected inference failure"), e.getMessage());
            assertTrue(e.getMessage().contains("resilience.file_fallback"), e.getMessage());
        }
    }

    /** The worker stage in live mode: with the engine hanging mid-stream, every frame still leaves, on time. */
    @Test
    void liveStageKeepsItsFrameRateThroughAHang() throws Exception {
        FaultyRestorer faulty = new FaultyRestorer(engine);
        ResilientRestorer r = live(faulty).build();
        InProcessTransport t = new InProcessTransport(64);
        FrameChannel in = t.channel("in");
        FrameChannel out = t.channel("out");
        EngineStage stage = new EngineStage(r, new Batcher(1, 10), in, out, 1);
        Thread worker = new Thread(stage, "stage");
        worker.start();
        List<Frame> sent = frames(50, 0);
        List<Long> arrivals = new ArrayList<>();
        Set<Long> seqs = new HashSet<>();
        int passedThrough = 0;
        try {
            long period = 50_000_000L; // 20 fps
            long start = System.nanoTime();
            int received = 0;
            for (int i = 0; i < sent.size(); i++) {
                if (i == 8) {
                    faulty.set(FaultyRestorer.Fault.HANG);
                }
                if (i == 40) {
                    faulty.release(); // a 1.6 s hang
                }
                while (System.nanoTime() < start + i * period) {
                    Frame f = out.poll(Duration.ofMillis(5));
                    if (f != null) {
                        arrivals.add(System.nanoTime());
                        seqs.add(f.seq());
                        passedThrough += FrameRestorer.PASSTHROUGH.equals(f.route()) ? 1 : 0;
                        received++;
                    }
                }
                in.send(sent.get(i));
            }
            in.send(Frame.endOfStream("cam", sent.size()));
            while (true) {
                Frame f = out.poll(Duration.ofSeconds(10));
                assertNotNull(f, "the stage stopped sending");
                if (f.isEndOfStream()) {
                    break;
                }
                arrivals.add(System.nanoTime());
                seqs.add(f.seq());
                passedThrough += FrameRestorer.PASSTHROUGH.equals(f.route()) ? 1 : 0;
                received++;
            }
            assertEquals(sent.size(), received);
            assertEquals(sent.size(), seqs.size(), "every frame once");
            assertTrue(passedThrough >= 20, "frames during the hang pass through, got " + passedThrough);
            long worstGap = 0;
            for (int i = 1; i < arrivals.size(); i++) {
                worstGap = Math.max(worstGap, arrivals.get(i) - arrivals.get(i - 1));
            }
            // one 1 s timeout, never a stall as long as the hang (1.6 s)
            assertTrue(worstGap < 1_400_000_000L, "worst gap between output frames " + worstGap / 1_000_000 + " ms");
        } finally {
            faulty.release();
            worker.join(10_000);
            r.close();
        }
        assertFalse(worker.isAlive());
        assertEquals(null, stage.failure());
    }
}
