package org.daair.stream.cli;

import java.util.Map;
import org.daair.stream.engine.ResilientRestorer;
import java.util.stream.Collectors;

/** What a run did: frames, speed, time per stage, frames per degradation. */
public record RunSummary(long frames, double seconds, double decodeSeconds, double classifySeconds,
                         double modelSeconds, double encodeSeconds, Map<String, Long> framesPerRoute,
                         ResilientRestorer.Stats faults, org.daair.stream.ingest.LiveSource.Stats live) {

    public RunSummary(long frames, double seconds, double decodeSeconds, double classifySeconds,
                      double modelSeconds, double encodeSeconds, Map<String, Long> framesPerRoute,
                      ResilientRestorer.Stats faults) {
        this(frames, seconds, decodeSeconds, classifySeconds, modelSeconds, encodeSeconds, framesPerRoute, faults, null);
    }

    public RunSummary(long frames, double seconds, double decodeSeconds, double classifySeconds,
                      double modelSeconds, double encodeSeconds, Map<String, Long> framesPerRoute) {
        this(frames, seconds, decodeSeconds, classifySeconds, modelSeconds, encodeSeconds, framesPerRoute, null);
    }

    public double fps() {
        return seconds > 0 ? frames / seconds : 0;
    }

    /** Multi-line human summary for stderr. */
    public String describe() {
        String routes = framesPerRoute.entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
        return String.format("restored %d frame%s in %.1f s (%.2f fps)%n"
                        + "  time per stage: decode %.1f s, classify %.1f s, model %.1f s, encode %.1f s%n"
                        + "  frames per degradation: %s",
                frames, frames == 1 ? "" : "s", seconds, fps(), decodeSeconds, classifySeconds, modelSeconds, encodeSeconds,
                routes.isEmpty() ? "none" : routes) + describeLive() + describeFaults();
    }

    private String describeLive() {
        if (live == null) {
            return "";
        }
        return String.format("%n  live input: %d frame%s repeated while it was silent, %d dropped because restoration"
                        + " was behind, %d outage%s, %d reconnection%s",
                live.held(), live.held() == 1 ? "" : "s", live.dropped(), live.outages(), live.outages() == 1 ? "" : "s",
                live.reconnects(), live.reconnects() == 1 ? "" : "s");
    }

    private String describeFaults() {
        if (faults == null || faults.passthroughFrames() + faults.fallbackFrames() + faults.guardedFrames() == 0) {
            return "";
        }
        return String.format("%n  faults: %d frame%s passed through unrestored, %d restored on the CPU fallback,"
                        + " %d replaced by the output guard (breaker %s)",
                faults.passthroughFrames(), faults.passthroughFrames() == 1 ? "" : "s", faults.fallbackFrames(),
                faults.guardedFrames(), faults.breakerState());
    }
}
