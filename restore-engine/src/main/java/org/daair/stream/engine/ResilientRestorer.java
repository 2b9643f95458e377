package org.daair.stream.engine;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.daair.stream.common.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A restorer that keeps the stream flowing when inference fails, hangs or returns garbage.
 *
 * <p>Every call into the primary restorer runs on one dedicated thread (the engine is not
 * thread-safe) under a Resilience4j time limiter, a bulkhead of one call in flight (a hung call
 * makes later ones fail fast instead of queueing behind it) and a circuit breaker that opens
 * after repeated failures or timeouts and probes recovery by itself (half-open after a wait).
 * Restored frames pass an {@link OutputGuard}: NaN, infinite or flat results are replaced by the
 * input frame.
 *
 * <p>When a call cannot be made or fails: in {@link Mode#LIVE} the frames leave unrestored (route
 * {@link #PASSTHROUGH}) so the viewer keeps a moving picture; in {@link Mode#FILE} they go to the
 * fallback restorer (a CPU engine) if there is one, else the run fails with a clear error (and the
 * sink deletes its partial output): a file job never silently skips restoration.
 */
public final class ResilientRestorer implements FrameRestorer, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ResilientRestorer.class);

    /** What to do with frames the primary restorer cannot handle. */
    public enum Mode {
        /** pass them through unrestored: latency and frame rate first. */
        LIVE,
        /** restore them with the fallback, or fail the run: completeness first. */
        FILE
    }

    /** Counters since creation. */
    public record Stats(long passthroughFrames, long fallbackFrames, long guardedFrames, long timeouts,
                        long failures, long rejected, String breakerState, List<String> transitions) {
    }

    private final FrameRestorer primary;
    private final AutoCloseable primaryToClose;
    private final Supplier<? extends FrameRestorer> fallbackFactory;
    private FrameRestorer fallback;
    private final Mode mode;
    private final CircuitBreaker breaker;
    private final Bulkhead bulkhead;
    private final TimeLimiter limiter;
    private final ExecutorService runner;
    private final AtomicLong passthrough = new AtomicLong();
    private final AtomicLong fallbackFrames = new AtomicLong();
    private final AtomicLong guarded = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final List<String> transitions = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closedCleanly;

    private ResilientRestorer(Builder b) {
        this.primary = b.primary;
        this.primaryToClose = b.closePrimary && b.primary instanceof AutoCloseable c ? c : null;
        this.fallbackFactory = b.fallback;
        this.mode = b.mode;
        this.breaker = CircuitBreaker.of("inference", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(b.window)
                .minimumNumberOfCalls(Math.min(b.minCalls, b.window))
                .failureRateThreshold(b.failureRatePercent)
                .waitDurationInOpenState(b.openFor)
                .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordExceptions(Throwable.class)
                .build());
        breaker.getEventPublisher().onStateTransition(e -> {
            String t = e.getStateTransition().getFromState() + "->" + e.getStateTransition().getToState();
            transitions.add(t);
            LOG.warn("inference circuit breaker {} ({})", t, mode == Mode.LIVE
                    ? "frames pass through unrestored while open" : "frames go to the fallback while open");
        });
        // one call in flight, no waiting: a call still running (hung) makes the next fail fast
        this.bulkhead = Bulkhead.of("inference", BulkheadConfig.custom().maxConcurrentCalls(1)
                .maxWaitDuration(Duration.ZERO).build());
        this.limiter = TimeLimiter.of(TimeLimiterConfig.custom().timeoutDuration(b.timeout).cancelRunningFuture(true).build());
        this.runner = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "daair-inference");
            t.setDaemon(true);
            return t;
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String route(Frame f) {
        Outcome<String> r = call(() -> primary.route(f));
        if (r.ok) {
            return r.value;
        }
        return mode == Mode.LIVE ? PASSTHROUGH : fallback(r.error).route(f);
    }

    @Override
    public List<Frame> restore(String route, List<Frame> frames) {
        if (PASSTHROUGH.equals(route)) {
            return passThrough(frames);
        }
        Outcome<List<Frame>> r = call(() -> primary.restore(route, frames));
        List<Frame> out;
        if (r.ok) {
            out = r.value;
        } else if (mode == Mode.LIVE) {
            return passThrough(frames);
        } else {
            out = fallback(r.error).restore(route, frames);
            fallbackFrames.addAndGet(frames.size());
        }
        return guard(frames, out);
    }

    @Override
    public void forgetStream(String streamId) {
        call(() -> {
            primary.forgetStream(streamId);
            return null;
        });
        if (fallback != null) {
            fallback.forgetStream(streamId);
        }
    }

    private List<Frame> guard(List<Frame> in, List<Frame> out) {
        List<Frame> checked = new ArrayList<>(out.size());
        for (int i = 0; i < out.size(); i++) {
            String problem = OutputGuard.problem(in.get(i), out.get(i));
            if (problem == null) {
                checked.add(out.get(i));
            } else {
                long n = guarded.incrementAndGet();
                if (n == 1 || n % 100 == 0) {
                    LOG.warn("frame {} of stream {}: {}; the input frame is shown instead ({} so far)",
                            in.get(i).seq(), in.get(i).streamId(), problem, n);
                }
                checked.add(in.get(i).withRoute(PASSTHROUGH));
            }
        }
        return checked;
    }

    private List<Frame> passThrough(List<Frame> frames) {
        passthrough.addAndGet(frames.size());
        List<Frame> out = new ArrayList<>(frames.size());
        for (Frame f : frames) {
            out.add(f.withRoute(PASSTHROUGH));
        }
        return out;
    }

    private synchronized FrameRestorer fallback(Throwable cause) {
        if (fallbackFactory == null) {
            throw new IllegalStateException("inference failed (" + describe(cause) + ") and no fallback is configured;"
                    + " set resilience.file_fallback: cpu to finish file jobs on the CPU", cause);
        }
        if (fallback == null) {
            LOG.warn("inference failed ({}); restoring on the fallback engine", describe(cause));
            fallback = fallbackFactory.get();
        }
        return fallback;
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "circuit breaker open";
        }
        return t instanceof TimeoutException ? "timed out" : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private record Outcome<T>(boolean ok, T value, Throwable error) {
    }

    private <T> Outcome<T> call(Callable<T> task) {
        if (!breaker.tryAcquirePermission()) {
            rejected.incrementAndGet();
            return new Outcome<>(false, null, null);
        }
        if (!bulkhead.tryAcquirePermission()) {
            breaker.releasePermission();
            rejected.incrementAndGet();
            return new Outcome<>(false, null, new TimeoutException("the previous inference call is still running"));
        }
        long t0 = System.nanoTime();
        try {
            T v = limiter.executeFutureSupplier(() -> runner.submit(() -> {
                try {
                    return task.call();
                } finally {
                    bulkhead.onComplete(); // released when the work really ends, not at the timeout
                }
            }));
            breaker.onSuccess(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            return new Outcome<>(true, v, null);
        } catch (TimeoutException e) {
            timeouts.incrementAndGet();
            breaker.onError(System.nanoTime() - t0, TimeUnit.NANOSECONDS, e);
            return new Outcome<>(false, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            breaker.releasePermission();
            throw new IllegalStateException("interrupted while waiting for inference", e);
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            long n = failures.incrementAndGet();
            if (n == 1 || n % 100 == 0) {
                LOG.warn("inference failed ({} so far): {}", n, describe(cause));
            }
            breaker.onError(System.nanoTime() - t0, TimeUnit.NANOSECONDS, cause);
            return new Outcome<>(false, null, cause);
        }
    }

    public Stats stats() {
        return new Stats(passthrough.get(), fallbackFrames.get(), guarded.get(), timeouts.get(), failures.get(),
                rejected.get(), breaker.getState().name(), List.copyOf(transitions));
    }

    /** The protected restorer. */
    public FrameRestorer primary() {
        return primary;
    }

    public CircuitBreaker.State breakerState() {
        return breaker.getState();
    }

    /**
     * Stops the inference thread. The primary (when owned) is closed only once no call is running
     * in it: closing ONNX Runtime under a running session crashes the process, so an engine whose
     * call hangs is left open (the process is ending anyway).
     *
     * {@link #closedCleanly()} tells whether everything was closed.
     */
    @Override
    public void close() {
        runner.shutdownNow();
        boolean idle;
        try {
            idle = runner.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            idle = false;
        }
        if (!idle) {
            LOG.warn("an inference call is still running after 30 s; leaving its engine open");
        }
        try {
            if (idle && primaryToClose != null) {
                primaryToClose.close();
            }
            if (fallback instanceof AutoCloseable c) {
                c.close();
            }
        } catch (Exception e) {
            LOG.warn("closing the engines: {}", e.toString());
            idle = false;
        }
        closedCleanly = idle;
    }

    /** After {@link #close()}: whether every engine was closed (false when a call was still hanging). */
    public boolean closedCleanly() {
        return closedCleanly;
    }

    /** Settings: {@code set*} required, {@code opt*} optional with the documented default. */
    public static final class Builder {
        private FrameRestorer primary;
        private boolean closePrimary = true;
        private Mode mode = Mode.FILE;
        private Supplier<? extends FrameRestorer> fallback;
        private Duration timeout = Duration.ofMinutes(10);
        private int window = 10;
        private int minCalls = 5;
        private float failureRatePercent = 50f;
        private Duration openFor = Duration.ofSeconds(10);
        private int halfOpenCalls = 2;

        /** The restorer to protect (required); closed with this one unless optClosePrimary(false). */
        public Builder setPrimary(FrameRestorer r) {
            this.primary = Objects.requireNonNull(r);
            return this;
        }

        public Builder optClosePrimary(boolean close) {
            this.closePrimary = close;
            return this;
        }

        /** LIVE: pass frames through on failure; FILE (default): fall back or fail. */
        public Builder optMode(Mode m) {
            this.mode = Objects.requireNonNull(m);
            return this;
        }

        /** FILE mode: makes the restorer used when the primary fails (built on first need); none = fail. */
        public Builder optFallback(Supplier<? extends FrameRestorer> f) {
            this.fallback = f;
            return this;
        }

        /** Longest one call (a batch, or one frame's classification) may take (default 10 min). */
        public Builder optTimeout(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("inference timeout must be positive");
            }
            this.timeout = d;
            return this;
        }

        /**
         * The breaker opens when at least {@code failurePercent} of the last {@code window} calls
         * (once {@code minCalls} were made) failed or timed out, stays open {@code openFor}, then
         * lets {@code halfOpenCalls} probe calls through (defaults 10, 5, 50 %, 10 s, 2).
         */
        public Builder optBreaker(int window, int minCalls, float failurePercent, Duration openFor, int halfOpenCalls) {
            if (window < 1 || minCalls < 1 || halfOpenCalls < 1 || failurePercent <= 0 || failurePercent > 100) {
                throw new IllegalArgumentException("breaker: window, min calls and half-open calls must be >= 1,"
                        + " failure rate in (0, 100]");
            }
            this.window = window;
            this.minCalls = minCalls;
            this.failureRatePercent = failurePercent;
            this.openFor = openFor;
            this.halfOpenCalls = halfOpenCalls;
            return this;
        }

        public ResilientRestorer build() {
            if (primary == null) {
                throw new IllegalStateException("setPrimary is required");
            }
            return new ResilientRestorer(this);
        }
    }
}
