package org.daair.stream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.daair.stream.common.Frame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded, time-bounded fuzzing of {@link FrameCodec#decode} with mutations of valid records of
 * every payload encoding: bit flips, truncation, inserted and deleted bytes in the payload; header
 * values flipped, cut, replaced (huge, negative, non-numeric sizes), removed or repeated; the key
 * cut or dropped. Every record must decode to a consistent frame or fail with
 * {@link FrameFormatException}, within a time limit and with allocation bounded by its size.
 */
class FrameCodecFuzzTest {

    private static final long SEED = 0xF00DL;
    private static final int ITERATIONS = 2000;
    private static final long BUDGET_NANOS = 5_000_000_000L;
    private static final FrameCodec CODEC = FrameCodec.defaults();
    private static ExecutorService exec;

    @BeforeAll
    static void start() {
        exec = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "codec-fuzz");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stop() {
        exec.shutdownNow();
    }

    record Rec(byte[] key, byte[] value, List<Header> headers) {
        long size() {
            long n = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
            for (Header h : headers) {
                n += h.key().length() + (h.value() == null ? 0 : h.value().length);
            }
            return n;
        }

        RecordHeaders recordHeaders() {
            return new RecordHeaders(headers.toArray(Header[]::new));
        }
    }

    static List<Rec> seeds() {
        List<Rec> out = new ArrayList<>();
        FrameMeta meta = new FrameMeta(1, 12_800, 1, 1, 1, 1, "trace-1");
        long seq = 0;
        for (PayloadEncoding enc : PayloadEncoding.values()) {
            for (int[] wh : new int[][] {{8, 6}, {13, 7}}) {
                Frame f = TestFrames.eightBit("cam", seq++, wh[0], wh[1]).withRoute("derain");
                out.add(of(FrameCodec.of(enc).encode("t", f, meta)));
            }
        }
        out.add(of(CODEC.encode("t", new Frame("cam", 9, 40, 9, 8, TestFrames.random("cam", 9, 9, 8).rgb(), null, "dir/a.png"), meta)));
        out.add(of(CODEC.encode("t", Frame.endOfStream("cam", 12), meta)));
        return out;
    }

    static Rec of(ProducerRecord<byte[], byte[]> r) {
        List<Header> hs = new ArrayList<>();
        r.headers().forEach(h -> hs.add(new RecordHeader(h.key(), h.value().clone())));
        return new Rec(r.key().clone(), r.value().clone(), hs);
    }

    static byte[] mutateBytes(byte[] b, Random rnd) {
        if (b == null || b.length == 0) {
            byte[] x = new byte[1 + rnd.nextInt(8)];
            rnd.nextBytes(x);
            return x;
        }
        switch (rnd.nextInt(4)) {
            case 0: {
                byte[] c = b.clone();
                for (int i = 1 + rnd.nextInt(4); i > 0; i--) {
                    c[rnd.nextInt(c.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return c;
            }
            case 1:
                return Arrays.copyOf(b, rnd.nextInt(b.length + 1));
            case 2: {
                int pos = rnd.nextInt(b.length + 1);
                byte[] ins = new byte[1 + rnd.nextInt(16)];
                rnd.nextBytes(ins);
                byte[] c = new byte[b.length + ins.length];
                System.arraycopy(b, 0, c, 0, pos);
                System.arraycopy(ins, 0, c, pos, ins.length);
                System.arraycopy(b, pos, c, pos + ins.length, b.length - pos);
                return c;
            }
            default: {
                int pos = rnd.nextInt(b.length);
                int len = Math.min(b.length - pos, 1 + rnd.nextInt(32));
                byte[] c = new byte[b.length - len];
                System.arraycopy(b, 0, c, 0, pos);
                System.arraycopy(b, pos + len, c, pos, b.length - pos - len);
                return c;
            }
        }
    }

    static final String[] VALUES = {"0", "-1", "1", "16384", "16385", "7680", "4320", "2147483647", "2147483648",
            "9223372036854775807", "-9223372036854775808", "99999999999999999999", "", " ", "x", "1/0", "0/0", "-1/1",
            "2", "raw-f32", "raw-f16", "raw-u8", "png", "jpeg", "rgb24", "rgbf32-planar", "rgbf16-planar", "\u0000", "\u00ff\u00fe"};

    static Rec mutate(Rec r, Random rnd) {
        List<Header> hs = new ArrayList<>(r.headers());
        byte[] key = r.key();
        byte[] value = r.value();
        switch (rnd.nextInt(8)) {
            case 0:
            case 1:
                value = mutateBytes(value, rnd);
                break;
            case 2: { // header value mutated as bytes
                int i = rnd.nextInt(hs.size());
                hs.set(i, new RecordHeader(hs.get(i).key(), mutateBytes(hs.get(i).value(), rnd)));
                break;
            }
            case 3: { // header value replaced
                int i = rnd.nextInt(hs.size());
                hs.set(i, new RecordHeader(hs.get(i).key(), VALUES[rnd.nextInt(VALUES.length)].getBytes(StandardCharsets.UTF_8)));
                break;
            }
            case 4: // header removed
                hs.remove(rnd.nextInt(hs.size()));
                break;
            case 5: { // header repeated with another value (the last one counts)
                Header h = hs.get(rnd.nextInt(hs.size()));
                hs.add(new RecordHeader(h.key(), VALUES[rnd.nextInt(VALUES.length)].getBytes(StandardCharsets.UTF_8)));
                break;
            }
            case 6: { // a header with a null value
                int i = rnd.nextInt(hs.size());
                hs.set(i, new RecordHeader(hs.get(i).key(), null));
                break;
            }
            default:
                key = rnd.nextInt(3) == 0 ? null : mutateBytes(key == null ? new byte[0] : key, rnd);
                if (rnd.nextInt(4) == 0) {
                    value = null;
                }
                break;
        }
        return new Rec(key, value, hs);
    }

    static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    record Outcome(Throwable unexpected, long allocated) {
    }

    static Outcome run(Rec r) throws Exception {
        Future<Outcome> f = exec.submit(() -> {
            long a0 = allocatedBytes();
            Throwable bad = null;
            try {
                ReceivedFrame got = CODEC.decode("t", 0, 42, r.key(), r.value(), r.recordHeaders());
                Frame fr = got.frame();
                if (!fr.isEndOfStream()) {
                    assertEquals(3L * fr.width() * fr.height(), fr.rgb().length);
                    assertTrue(fr.width() >= 1 && fr.height() >= 1);
                }
            } catch (FrameFormatException expected) {
                assertEquals(42, expected.offset(), "the position is named");
            } catch (Throwable t) {
                bad = t;
            }
            return new Outcome(bad, allocatedBytes() - a0);
        });
        try {
            return f.get(2, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            fail("decode hung on " + describe(r));
            return null;
        }
    }

    static String describe(Rec r) {
        StringBuilder sb = new StringBuilder();
        for (Header h : r.headers()) {
            sb.append(h.key()).append('=').append(h.value() == null ? "null" : new String(h.value(), StandardCharsets.UTF_8)).append(' ');
        }
        return sb + "value " + (r.value() == null ? "null" : r.value().length + " bytes");
    }

    @Test
    void seedsDecode() throws Exception {
        for (Rec r : seeds()) {
            Outcome o = run(r);
            assertEquals(null, o.unexpected());
            CODEC.decode("t", 0, 1, r.key(), r.value(), r.recordHeaders()); // and without error
        }
    }

    @Test
    void mutatedRecordsDecodeOrFailWithFrameFormatException() throws Exception {
        List<Rec> seeds = seeds();
        Random rnd = new Random(SEED);
        long t0 = System.nanoTime();
        int i = 0;
        for (; i < ITERATIONS && System.nanoTime() - t0 < BUDGET_NANOS; i++) {
            Rec r = seeds.get(rnd.nextInt(seeds.size()));
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                r = mutate(r, rnd);
            }
            Outcome o = run(r);
            if (o.unexpected() != null) {
                AssertionError e = new AssertionError("iteration " + i + " (seed " + SEED + "): " + o.unexpected() + " on " + describe(r));
                e.initCause(o.unexpected());
                throw e;
            }
            // a decoded frame is 12 bytes per pixel from >= 1 byte of payload per pixel (png/jpeg: the picture must
            // match the headers' size, itself bounded); 16 MB of slack for image decoders
            long bound = 16 * r.size() + (16 << 20);
            if (o.allocated() > bound) {
                fail("iteration " + i + ": " + o.allocated() + " bytes allocated for a " + r.size() + "-byte record: " + describe(r));
            }
        }
        System.out.printf("frame codec fuzz: %d records in %.1f s%n", i, (System.nanoTime() - t0) / 1e9);
        assertTrue(i >= 200, "too few iterations in the time budget: " + i);
    }
}
