package org.daair.stream.ingest;

import java.io.IOException;

/**
 * An input that cannot be read, with a one-line message that names the problem and says what to
 * do about it (for example "input 'a.mp4' is empty (0 bytes): ...").
 *
 * <p>It extends {@link IOException} so callers that already handle I/O errors need nothing new,
 * while a CLI can print {@link #getMessage()} as is instead of a stack trace.
 */
public class SourceException extends IOException {

    private static final long serialVersionUID = 1L;

    public SourceException(String message) {
        super(oneLine(message));
    }

    public SourceException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** Messages are shown to users on one line: fold any line breaks coming from native errors. */
    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
