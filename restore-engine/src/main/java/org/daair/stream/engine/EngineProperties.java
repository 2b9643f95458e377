package org.daair.stream.engine;

/** DJL calls home at engine start unless told not to: every entry point sets these first. */
public final class EngineProperties {
    private EngineProperties() {
    }

    public static void ensureOffline() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
    }
}
