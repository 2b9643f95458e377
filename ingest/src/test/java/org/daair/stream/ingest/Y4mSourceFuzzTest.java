package org.daair.stream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.daair.stream.common.Frame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded, time-bounded fuzzing of the Y4M reader with mutations of valid streams (bit flips,
 * truncation, inserted and deleted bytes, header fields replaced). Every input must either decode
 * or fail with {@link SourceException}; nothing may hang, and memory allocated while decoding must
 * stay proportional to the bytes actually supplied (a header claiming a giant frame allocates
 * nothing big).
 */
class Y4mSourceFuzzTest {

    private static final long SEED = 0x5EED_4D;
    private static final int ITERATIONS = 2000;
    private static final long BUDGET_NANOS = 5_000_000_000L;
    private static ExecutorService exec;

    @BeforeAll
    static void start() {
        exec = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "y4m-fuzz");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stop() {
        exec.shutdownNow();
    }

    static byte[] stream(String header, int w, int h, int chromaBytes, int frames, Random rnd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((header + "\n").getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < frames; i++) {
            out.writeBytes((i == 1 ? "FRAME Ixyz\n" : "FRAME\n").getBytes(StandardCharsets.US_ASCII));
            byte[] px = new byte[w * h + chromaBytes];
            rnd.nextBytes(px);
            out.writeBytes(px);
        }
        return out.toByteArray();
    }

    static List<byte[]> seeds() {
        Random rnd = new Random(1);
        List<byte[]> s = new ArrayList<>();
        s.add(stream("YUV4MPEG2 W16 H8 F25:1 Ip A1:1 C420jpeg XYSCSS=420JPEG", 16, 8, 2 * 8 * 4, 3, rnd));
        s.add(stream("YUV4MPEG2 W15 H9 F30000:1001 C420mpeg2 XCOLORRANGE=FULL", 15, 9, 2 * 8 * 5, 2, rnd));
        s.add(stream("YUV4MPEG2 W8 H8 F25:1 C444", 8, 8, 2 * 64, 2, rnd));
        s.add(stream("YUV4MPEG2 W10 H6 F0:0 C422 XCOLORRANGE=LIMITED", 10, 6, 2 * 5 * 6, 2, rnd));
        s.add(stream("YUV4MPEG2 W9 H9 F50:1 Cmono", 9, 9, 0, 3, rnd));
        return s;
    }

    /** Decodes everything; returns the number of frames. Runs on the fuzz thread. */
    static int decodeAll(byte[] input) throws Exception {
        try (Y4mSource src = new Y4mSource(new ByteArrayInputStream(input), "fuzz")) {
            int n = 0;
            for (Frame f; (f = src.next()) != null; n++) {
                assertEquals(3L * f.width() * f.height(), f.rgb().length);
                for (float v : f.rgb()) {
                    if (!(v >= 0f && v <= 1f)) {
                        throw new AssertionError("sample out of range: " + v);
                    }
                }
                if (n > 1000) {
                    throw new AssertionError("more frames than bytes");
                }
            }
            return n;
        }
    }

    static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Outcome on the fuzz thread: null on success or SourceException; the unexpected throwable otherwise. */
    record Outcome(Throwable unexpected, long allocated) {
    }

    static Outcome run(byte[] input) throws Exception {
        Future<Outcome> f = exec.submit(() -> {
            long a0 = allocatedBytes();
            Throwable bad = null;
            try {
                decodeAll(input);
            } catch (SourceException expected) {
                // the documented failure
            } catch (Throwable t) {
                bad = t;
            }
            return new Outcome(bad, allocatedBytes() - a0);
        });
        try {
            return f.get(2, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            fail("decode hung on input starting " + preview(input));
            return null;
        }
    }

    static String preview(byte[] b) {
        int n = Math.min(b.length, 80);
        return new String(b, 0, n, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", ".") + " (" + b.length + " bytes) "
                + HexFormat.of().formatHex(b, 0, Math.min(b.length, 24));
    }

    static byte[] mutate(byte[] in, Random rnd) {
        byte[] b = in.clone();
        int header = Math.max(1, indexOf(b, (byte) '\n'));
        switch (rnd.nextInt(7)) {
            case 0: { // bit flips, half of the time in the header
                int flips = 1 + rnd.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    int pos = rnd.nextBoolean() ? rnd.nextInt(header) : rnd.nextInt(b.length);
                    b[pos] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            }
            case 1: // truncation
                return java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1));
            case 2: { // inserted bytes
                int pos = rnd.nextInt(b.length + 1);
                byte[] ins = new byte[1 + rnd.nextInt(16)];
                rnd.nextBytes(ins);
                if (rnd.nextBoolean()) {
                    java.util.Arrays.fill(ins, (byte) "\n 0123456789WHFC:".charAt(rnd.nextInt(17)));
                }
                byte[] out = new byte[b.length + ins.length];
                System.arraycopy(b, 0, out, 0, pos);
                System.arraycopy(ins, 0, out, pos, ins.length);
                System.arraycopy(b, pos, out, pos + ins.length, b.length - pos);
                return out;
            }
            case 3: { // deleted bytes
                int pos = rnd.nextInt(b.length);
                int len = Math.min(b.length - pos, 1 + rnd.nextInt(32));
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, pos);
                System.arraycopy(b, pos + len, out, pos, b.length - pos - len);
                return out;
            }
            default: { // header field changes
                String h = new String(b, 0, header, StandardCharsets.ISO_8859_1);
                String[] values = {"0", "-1", "1", "7", "8", "16383", "16384", "16385", "100000", "2147483647", "2147483648",
                        "99999999999999999999", "", "abc", "1:0", "0:1", "-5:3", "2147483647:1", ":", "1e3", "+8", " "};
                String v = values[rnd.nextInt(values.length)];
                switch (rnd.nextInt(6)) {
                    case 0: h = h.replaceFirst(" W[^ ]*", " W" + v); break;
                    case 1: h = h.replaceFirst(" H[^ ]*", " H" + v); break;
                    case 2: h = h.replaceFirst(" F[^ ]*", " F" + v); break;
                    case 3: h = h.replaceFirst(" C[^ ]*", " C" + new String[] {"420p10", "411", "444alpha", "", "mono16", "420"}[rnd.nextInt(6)]); break;
                    case 4: h = h + " A" + v + " I" + v; break;
                    default: h = h.replaceFirst(" W[^ ]*", " W16384").replaceFirst(" H[^ ]*", " H4096").replaceFirst(" C[^ ]*", " C444"); break;
                }
                byte[] hb = h.getBytes(StandardCharsets.ISO_8859_1);
                byte[] out = new byte[hb.length + b.length - header];
                System.arraycopy(hb, 0, out, 0, hb.length);
                System.arraycopy(b, header, out, hb.length, b.length - header);
                return out;
            }
        }
    }

    static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return b.length;
    }

    @Test
    void seedsDecode() throws Exception {
        for (byte[] s : seeds()) {
            assertTrue(decodeAll(s) >= 2);
        }
    }

    @Test
    void mutatedStreamsDecodeOrFailWithSourceException() throws Exception {
        List<byte[]> seeds = seeds();
        Random rnd = new Random(SEED);
        long t0 = System.nanoTime();
        int i = 0;
        for (; i < ITERATIONS && System.nanoTime() - t0 < BUDGET_NANOS; i++) {
            byte[] input = seeds.get(rnd.nextInt(seeds.size()));
            int rounds = 1 + rnd.nextInt(3);
            for (int r = 0; r < rounds; r++) {
                input = mutate(input, rnd);
            }
            Outcome o = run(input);
            if (o.unexpected() != null) {
                AssertionError e = new AssertionError("iteration " + i + " (seed " + SEED + "): " + o.unexpected() + " on " + preview(input));
                e.initCause(o.unexpected());
                throw e;
            }
            // float frames are 12 bytes per pixel, from at least 1 byte per pixel of input; 16 MB of slack for buffers
            long bound = 16L * input.length + (16 << 20);
            if (o.allocated() > bound) {
                fail("iteration " + i + ": " + o.allocated() + " bytes allocated for " + input.length + " input bytes: " + preview(input));
            }
        }
        System.out.printf("y4m fuzz: %d inputs in %.1f s%n", i, (System.nanoTime() - t0) / 1e9);
        assertTrue(i >= 200, "too few iterations in the time budget: " + i);
    }

    @Test
    void aHeaderClaimingAGiantFrameAllocatesNothingBig() throws Exception {
        byte[] lie = "YUV4MPEG2 W16384 H4096 F25:1 C444\nFRAME\nonly a few bytes".getBytes(StandardCharsets.US_ASCII);
        Outcome o = run(lie);
        assertEquals(null, o.unexpected());
        assertTrue(o.allocated() < 8 << 20, "allocated " + o.allocated() + " bytes for a " + lie.length + "-byte stream");
        SourceException e = assertThrows(SourceException.class, () -> decodeAll(lie));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }
}
