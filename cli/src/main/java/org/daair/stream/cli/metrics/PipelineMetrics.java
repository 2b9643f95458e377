package org.daair.stream.cli.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.daair.stream.engine.ResilientRestorer;
import org.daair.stream.ingest.LiveSource;

/**
 * The meters of daair's stages, one name each (as Prometheus shows them):
 *
 * <ul>
 *   <li>{@code daair_frames_in_total{stream}}, {@code daair_frames_out_total{stream}}: frames that
 *       entered (decoded or consumed) and left (written or published) this process;</li>
 *   <li>{@code daair_fps{stream,direction}}: frames per second over the last 5 s;</li>
 *   <li>{@code daair_stage_seconds{stage}}: latency histogram per stage (decode, classify, model,
 *       encode, publish), and {@code daair_end_to_end_seconds}: from entering to leaving;</li>
 *   <li>{@code daair_batch_frames{route}}: batch sizes; {@code daair_frames_restored_total{route}}:
 *       frames per degradation;</li>
 *   <li>{@code daair_passthrough_frames_total}, {@code daair_fallback_frames_total},
 *       {@code daair_guarded_frames_total}, {@code daair_breaker_state} (0 closed, 1 open,
 *       2 half-open, 3 other): the resilience layer;</li>
 *   <li>{@code daair_queue_frames{queue}}: queue depths; {@code daair_consumer_lag_records}: Kafka
 *       consumer lag;</li>
 *   <li>{@code daair_sink_late_originals_total}: originals a live sink wrote at the deadline;</li>
 *   <li>{@code daair_live_frames_repeated_total}, {@code daair_live_frames_dropped_total},
 *       {@code daair_live_outages_total}, {@code daair_live_reconnects_total}: live inputs.</li>
 * </ul>
 */
public final class PipelineMetrics {

    // Every gauge and function counter's source is held strongly (strongReference, or the list
    // below for function counters, which have no such option): Micrometer references them weakly
    // by default, so a lambda would be collected and its meter read NaN.
    private final java.util.List<Object> sources = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final MeterRegistry registry;
    private final Map<String, Timer> stages = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, RateWindow> rates = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> batches = new ConcurrentHashMap<>();
    private final Timer endToEnd;

    public PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.endToEnd = Timer.builder("daair.end.to.end").description("time from a frame entering this process to leaving it")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(2))
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void frameIn(String stream) {
        count("daair.frames.in", "frames that entered this process", stream).increment();
        rate(stream, "in").mark();
    }

    public void frameOut(String stream) {
        count("daair.frames.out", "frames that left this process", stream).increment();
        rate(stream, "out").mark();
    }

    /** The sink wrote a frame's original because its restored version missed the live deadline. */
    public void lateOriginal() {
        counters.computeIfAbsent("late", k -> Counter.builder("daair.sink.late.originals")
                .description("originals written because the restored frame missed the live deadline").register(registry)).increment();
    }

    /** A frame left after {@code nanos} in this process. */
    public void endToEnd(long nanos) {
        endToEnd.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void stage(String stage, long nanos) {
        stages.computeIfAbsent(stage, s -> Timer.builder("daair.stage").tag("stage", s)
                .description("latency of one call of a stage (per frame, or per batch for classify and model)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofMinutes(1))
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void batch(String route, int frames) {
        batches.computeIfAbsent(route, r -> DistributionSummary.builder("daair.batch.frames").tag("route", r)
                .description("frames per forward pass").register(registry)).record(frames);
        counters.computeIfAbsent("restored/" + route, k -> Counter.builder("daair.frames.restored").tag("route", route)
                .description("frames per degradation (route) given to the model").register(registry)).increment(frames);
    }

    public void watchRestorer(ResilientRestorer r) {
        sources.add(r);
        FunctionCounter.builder("daair.passthrough.frames", r, x -> x.stats().passthroughFrames())
                .description("frames that left unrestored (live: late or failed inference)").register(registry);
        FunctionCounter.builder("daair.fallback.frames", r, x -> x.stats().fallbackFrames())
                .description("frames restored by the CPU fallback engine").register(registry);
        FunctionCounter.builder("daair.guarded.frames", r, x -> x.stats().guardedFrames())
                .description("restored frames replaced by their input (NaN, flat output)").register(registry);
        Gauge.builder("daair.breaker.state", r, x -> switch (x.stats().breakerState()) {
            case "CLOSED" -> 0;
            case "OPEN" -> 1;
            case "HALF_OPEN" -> 2;
            default -> 3;
        }).strongReference(true).description("inference circuit breaker: 0 closed, 1 open, 2 half-open, 3 other").register(registry);
    }

    public void watchQueue(String queue, DoubleSupplier depth) {
        Gauge.builder("daair.queue.frames", depth, DoubleSupplier::getAsDouble).tag("queue", queue).strongReference(true)
                .description("frames waiting in a queue").register(registry);
    }

    public void watchConsumerLag(DoubleSupplier lag) {
        Gauge.builder("daair.consumer.lag.records", lag, DoubleSupplier::getAsDouble).strongReference(true)
                .description("records the Kafka consumer is behind (max over its partitions)").register(registry);
    }

    public void watchLive(Supplier<LiveSource.Stats> stats) {
        sources.add(stats);
        FunctionCounter.builder("daair.live.frames.repeated", stats, s -> s.get().held())
                .description("last frame repeated while the live input was silent").register(registry);
        FunctionCounter.builder("daair.live.frames.dropped", stats, s -> s.get().dropped())
                .description("live frames dropped because restoration was behind").register(registry);
        FunctionCounter.builder("daair.live.outages", stats, s -> s.get().outages())
                .description("times the live input was lost").register(registry);
        FunctionCounter.builder("daair.live.reconnects", stats, s -> s.get().reconnects())
                .description("times the live input was opened again").register(registry);
    }

    /** An engine description as a constant gauge with tags (Prometheus "info" style). */
    public void engineInfo(String device, String task, String model) {
        Gauge.builder("daair.engine.info", () -> 1).strongReference(true).tag("device", device).tag("task", task).tag("model", model)
                .description("the engine this process runs").register(registry);
    }

    private Counter count(String name, String description, String stream) {
        return counters.computeIfAbsent(name + "/" + stream, k -> Counter.builder(name).tag("stream", stream)
                .description(description).register(registry));
    }

    private RateWindow rate(String stream, String direction) {
        return rates.computeIfAbsent(stream + "/" + direction, k -> {
            RateWindow w = new RateWindow(5_000_000_000L);
            Gauge.builder("daair.fps", w, RateWindow::perSecond).strongReference(true).tag("stream", stream).tag("direction", direction)
                    .description("frames per second over the last 5 s").register(registry);
            return w;
        });
    }

    /** Events per second over a sliding window (the gauge a dashboard shows as "fps"). */
    static final class RateWindow {
        private final long windowNanos;
        private final java.util.ArrayDeque<Long> times = new java.util.ArrayDeque<>();

        RateWindow(long windowNanos) {
            this.windowNanos = windowNanos;
        }

        synchronized void mark() {
            long now = System.nanoTime();
            times.addLast(now);
            trim(now);
        }

        synchronized double perSecond() {
            trim(System.nanoTime());
            return times.size() / (windowNanos / 1e9);
        }

        private void trim(long now) {
            while (!times.isEmpty() && now - times.peekFirst() > windowNanos) {
                times.pollFirst();
            }
            while (times.size() > 100_000) {
                times.pollFirst(); // bounded whatever the rate
            }
        }
    }
}
