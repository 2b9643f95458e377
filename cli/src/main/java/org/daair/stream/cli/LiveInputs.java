package org.daair.stream.cli;

import java.io.IOException;
import java.time.Duration;
import org.daair.stream.config.Settings;
import org.daair.stream.ingest.FFmpegSource;
import org.daair.stream.ingest.FrameSource;
import org.daair.stream.ingest.LiveSource;
import org.daair.stream.ingest.Sources;

/**
 * Opens a command-line input the way the {@code live.*} settings say: a live input (stream URL or
 * capture device, {@link Sources#isLive}) becomes a {@link LiveSource} that reconnects, repeats
 * the last frame while the input is silent and drops the oldest frames when restoration is behind;
 * anything else is opened as is ({@link Sources#open}). Video is decoded with {@code input.decoder}.
 */
public final class LiveInputs {

    private LiveInputs() {
    }

    /** True when {@code input} is opened as a {@link LiveSource} under these settings. */
    public static boolean reconnects(String input, Settings s) {
        return Sources.isLive(input) && s.getBoolean("live.reconnect");
    }

    public static FrameSource open(String input, String streamId, Settings s) throws IOException {
        String decoder = s.get("input.decoder");
        if (!reconnects(input, s)) {
            return Sources.open(input, streamId, decoder);
        }
        Duration timeout = Duration.ofMillis(s.getInt("live.read_timeout_ms"));
        LiveSource.Opener opener = Sources.isUrl(input)
                ? () -> FFmpegSource.open(input, streamId, timeout, decoder)
                : () -> Sources.open(input, streamId, decoder);
        // the first connection is opened here, so that a wrong address fails at once with its error
        FrameSource first = opener.open();
        try {
            return LiveSource.builder().setFirst(first).setOpener(opener)
                    .optQueueFrames(s.getInt("live.queue_frames"))
                    .optHoldAfter(Duration.ofMillis(s.getInt("live.hold_after_ms")))
                    .optGiveUpAfter(Duration.ofSeconds(s.getInt("live.give_up_after_s")))
                    .optBackoff(Duration.ofMillis(s.getInt("live.backoff_initial_ms")),
                            Duration.ofMillis(s.getInt("live.backoff_max_ms")))
                    .optWhileGone(LiveSource.WhileGone.parse(s.get("live.while_gone")))
                    .build();
        } catch (RuntimeException e) {
            first.close();
            throw e;
        }
    }
}
