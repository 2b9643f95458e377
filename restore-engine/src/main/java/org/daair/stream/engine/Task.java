package org.daair.stream.engine;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What to restore: {@code AUTO} classifies every frame; the others force one degradation's graph. */
public enum Task {
    AUTO, DENOISE, DERAIN, DEHAZE, DEBLUR, LOWLIGHT;

    /** The name used on the command line, in configuration and in the model manifest. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Task parse(String s) {
        for (Task t : values()) {
            if (t.id().equalsIgnoreCase(s.trim())) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown task '" + s + "': use one of "
                + Arrays.stream(values()).map(Task::id).collect(Collectors.joining(", ")));
    }
}
