package org.daair.stream.cli.preview;

import java.util.Locale;

/** How {@code restore --preview} puts the input and the restored output into one picture. */
public enum PreviewMode {
    /** Both whole frames next to each other, input left and restored right: the output is twice as wide. */
    SIDE_BY_SIDE("side-by-side"),
    /** One frame of the input's size: its left half from the input, its right half restored, a thin line between. */
    SPLIT("split");

    private final String id;

    PreviewMode(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** @throws IllegalArgumentException naming the choices, for a one-line error */
    public static PreviewMode parse(String s) {
        for (PreviewMode m : values()) {
            if (m.id.equals(s == null ? null : s.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("--preview must be side-by-side or split, not '" + s + "'");
    }
}
