package org.daair.stream.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.daair.stream.common.Frame;

/** A real engine that fails on demand: throws, hangs (ignoring interrupts, like native code), or returns NaN / black. */
final class FaultyRestorer implements FrameRestorer {

    enum Fault { NONE, THROW, HANG, NAN, BLACK }

    private final FrameRestorer real;
    volatile Fault fault = Fault.NONE;
    final AtomicInteger calls = new AtomicInteger();
    private volatile CountDownLatch hang = new CountDownLatch(1);

    FaultyRestorer(FrameRestorer real) {
        this.real = real;
    }

    void set(Fault f) {
        if (f == Fault.HANG) {
            hang = new CountDownLatch(1);
        }
        fault = f;
    }

    /** Ends every hanging call. */
    void release() {
        fault = Fault.NONE;
        hang.countDown();
    }

    @Override
    public String route(Frame f) {
        return real.route(f);
    }

    @Override
    public List<Frame> restore(String route, List<Frame> frames) {
        calls.incrementAndGet();
        switch (fault) {
            case THROW -> throw new IllegalStateException("injected inference failure");
            case HANG -> {
                CountDownLatch h = hang;
                boolean interrupted = false;
                while (h.getCount() > 0) {
                    try {
                        h.await();
                    } catch (InterruptedException e) {
                        interrupted = true; // a native call cannot be interrupted either
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return real.restore(route, frames);
            }
            case NAN, BLACK -> {
                List<Frame> out = new ArrayList<>();
                for (Frame f : frames) {
                    float[] v = new float[f.rgb().length];
                    Arrays.fill(v, fault == Fault.NAN ? Float.NaN : 0f);
                    out.add(f.withPixels(v).withRoute(route));
                }
                return out;
            }
            default -> {
                return real.restore(route, frames);
            }
        }
    }

    @Override
    public void forgetStream(String streamId) {
        real.forgetStream(streamId);
    }
}
