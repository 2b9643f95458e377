package org.daair.stream.cli.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.daair.stream.common.Frame;
import org.daair.stream.common.StreamInfo;
import org.daair.stream.engine.FrameRestorer;
import org.daair.stream.engine.RouteDecision;

/**
 * Listens to a restore run ({@link org.daair.stream.cli.RestorePipeline}'s hooks) and keeps what
 * the report shows: every written frame's route and confidence, and small before/after pictures
 * of a sample of frames. Memory stays bounded by the sample size, whatever the clip's length
 * (plus one small record per frame).
 */
public final class RunRecorder {

    /** A sampled frame: its record and its input and restored pictures as data URIs. */
    public record Thumbnail(FrameRecord frame, String before, String after) {
    }

    private final int maxThumbnails;
    private volatile ThumbnailSampler sampler;
    private volatile StreamInfo info;
    private final Map<Long, String> before = new ConcurrentHashMap<>();
    private final Map<Long, String> after = new ConcurrentHashMap<>();
    private final Map<Long, Double> confidence = new ConcurrentHashMap<>();
    private final List<FrameRecord> frames = new ArrayList<>();
    private volatile int width = -1;
    private volatile int height = -1;
    private volatile boolean mixedSizes;

    public RunRecorder(int maxThumbnails) {
        this.maxThumbnails = maxThumbnails;
        this.sampler = new ThumbnailSampler(maxThumbnails, -1);
    }

    /** The source is open (before the first frame is decoded). */
    public void started(StreamInfo streamInfo) {
        this.info = streamInfo;
        this.sampler = new ThumbnailSampler(maxThumbnails, streamInfo.frameCount());
    }

    /** On the decoding thread: an input frame, before restoration. */
    public void decoded(Frame f) {
        if (width < 0) {
            width = f.width();
            height = f.height();
        } else if (f.width() != width || f.height() != height) {
            mixedSizes = true; // a folder of images of different sizes
        }
        ThumbnailSampler s = sampler;
        if (s.offer(f.seq())) {
            before.put(f.seq(), Thumbnails.dataUri(Thumbnails.scaled(f)));
        }
        before.keySet().removeIf(seq -> !s.wanted(seq));
    }

    /** On the engine's thread: how a frame was routed. */
    public void routed(RouteDecision d) {
        confidence.put(d.seq(), d.confidence());
    }

    /** On the sink's thread, in order: a frame was written. */
    public void written(Frame f) {
        Double c = confidence.remove(f.seq());
        boolean passed = FrameRestorer.PASSTHROUGH.equals(f.route());
        FrameRecord r = new FrameRecord(f.seq(), f.name(), f.route(), c == null || passed ? Double.NaN : c);
        synchronized (frames) {
            frames.add(r);
        }
        ThumbnailSampler s = sampler;
        if (s.wanted(f.seq()) && before.containsKey(f.seq())) {
            after.put(f.seq(), Thumbnails.dataUri(Thumbnails.scaled(f)));
        }
        after.keySet().removeIf(seq -> !s.wanted(seq));
    }

    public StreamInfo info() {
        return info;
    }

    /** Size of the frames ("768x432"), "various sizes" for a folder of mixed images, "" before any frame. */
    public String frameSize() {
        return width < 0 ? "" : mixedSizes ? "various sizes (first " + width + "x" + height + ")" : width + "x" + height;
    }

    public List<FrameRecord> frames() {
        synchronized (frames) {
            return List.copyOf(frames);
        }
    }

    /** The sampled frames, evenly spaced over the run, in order. */
    public List<Thumbnail> thumbnails() {
        Map<Long, FrameRecord> bySeq = new java.util.HashMap<>();
        for (FrameRecord r : frames()) {
            bySeq.put(r.seq(), r);
        }
        List<Long> both = new ArrayList<>();
        for (Long seq : after.keySet()) {
            if (before.containsKey(seq) && bySeq.containsKey(seq)) {
                both.add(seq);
            }
        }
        List<Thumbnail> out = new ArrayList<>();
        for (long seq : sampler.choose(both)) {
            out.add(new Thumbnail(bySeq.get(seq), before.get(seq), after.get(seq)));
        }
        return out;
    }
}
