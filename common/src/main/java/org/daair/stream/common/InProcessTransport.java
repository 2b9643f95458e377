package org.daair.stream.common;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Bounded queues in one JVM: no broker, no copies, backpressure by blocking. */
public final class InProcessTransport implements Transport {

    private final int capacity;
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();

    /** @param capacity frames buffered per topic before senders block */
    public InProcessTransport(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public FrameChannel channel(String topic) {
        return channels.computeIfAbsent(topic, t -> new Channel(new ArrayBlockingQueue<>(capacity)));
    }

    /** Frames buffered per topic before senders block. */
    public int capacity() {
        return capacity;
    }

    /** Frames waiting in TOPIC's queue now (0 for a topic not used yet): for monitoring. */
    public int depth(String topic) {
        Channel c = channels.get(topic);
        return c == null ? 0 : c.queue().size();
    }

    @Override
    public void close() {
        channels.clear();
    }

    private record Channel(BlockingQueue<Frame> queue) implements FrameChannel {
        @Override
        public void send(Frame frame) throws InterruptedException {
            queue.put(frame);
        }

        @Override
        public Frame poll(Duration timeout) throws InterruptedException {
            return queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
    }
}
