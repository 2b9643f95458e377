package org.daair.stream.config;

/** A setting that cannot be used; the message says which, where it came from and what to use. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
