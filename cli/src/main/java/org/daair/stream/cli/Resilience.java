package org.daair.stream.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.daair.stream.config.Settings;
import org.daair.stream.engine.RestoreEngine;
import org.daair.stream.engine.ResilientRestorer;
import org.daair.stream.ingest.Sources;

/** Builds the {@link ResilientRestorer} around an engine from the {@code resilience.*} settings. */
public final class Resilience {

    private Resilience() {
    }

    /** Live for network streams and capture devices, file for everything else (resilience.mode: auto). */
    public static ResilientRestorer.Mode modeFor(String input, Settings s) {
        String m = s.get("resilience.mode");
        if (!m.equals("auto")) {
            return m.equals("live") ? ResilientRestorer.Mode.LIVE : ResilientRestorer.Mode.FILE;
        }
        return Sources.isLive(input) ? ResilientRestorer.Mode.LIVE : ResilientRestorer.Mode.FILE;
    }

    /** Wraps (and takes ownership of) {@code engine}; the fallback is a CPU engine built on first need. */
    public static ResilientRestorer wrap(RestoreEngine engine, RestorePipeline pipeline, Settings s, ResilientRestorer.Mode mode) {
        ResilientRestorer.Builder b = ResilientRestorer.builder().setPrimary(engine).optMode(mode)
                .optTimeout(Duration.ofMillis(s.getInt(mode == ResilientRestorer.Mode.LIVE
                        ? "resilience.live_timeout_ms" : "resilience.file_timeout_ms")))
                .optBreaker(s.getInt("resilience.breaker_window"), s.getInt("resilience.breaker_min_calls"),
                        s.getInt("resilience.breaker_failure_rate"), Duration.ofMillis(s.getInt("resilience.breaker_open_ms")),
                        s.getInt("resilience.breaker_half_open_calls"));
        if (s.get("resilience.file_fallback").equals("cpu")) {
            b.optFallback(() -> {
                try {
                    return pipeline.buildEngine("cpu");
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot build the CPU fallback engine: " + e.getMessage(), e);
                }
            });
        }
        return b.build();
    }
}
