package org.daair.stream.common;

import java.time.Duration;

/** One topic's frames. {@link #send} blocks while the channel is full: that is the backpressure
 * that keeps a fast decoder from running ahead of a slow model. */
public interface FrameChannel {

    void send(Frame frame) throws InterruptedException;

    /** The next frame, or null if none arrived within the timeout. */
    Frame poll(Duration timeout) throws InterruptedException;
}
