package org.daair.stream.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.daair.stream.common.Frame;

/**
 * Removes the flicker that restoring frames one by one adds to video: restored noise "boils" in
 * flat areas and haze removal pumps brightness, because nothing ties one frame's result to the
 * next. Where the picture does not move, each output pixel is blended with the previous output
 * (a recursive temporal filter); where it moves, the new frame is taken as it is, so moving
 * objects stay sharp and leave no trails.
 *
 * <p>Motion is measured between the new restored frame and the previous output, on the luma change
 * less its local mean over {@link #GLOBAL_RADIUS} (a change of brightness over the whole picture,
 * such as haze removal re-estimating the airlight or the degradation changing, is flicker to smooth,
 * not motion), taken absolute and blurred over (2 radius + 1)^2 pixels (so the residual noise does
 * not read as motion). The blend weight is {@code strength} below {@code motionFloor}, falling
 * linearly to 0 at {@code motionThreshold}. When the stabiliser also sees the input
 * frames ({@link #observeInput}, in decoding order), a pixel moves only if the input moved there
 * too (the smaller of the two changes counts): dehazing amplifies the input's slight changes into
 * large ones where nothing moves, falling rain changes the input but not the restored frame,
 * noise cancels in the input's signed change averaged over 5x5 pixels ({@link #inputChange}), and a
 * moving object changes both. The input's change at frame t is the smallest of t against t-1, t
 * against t-2 and t+1 against t-1 (a look-ahead of one input frame, which decoding has anyway): a
 * streak or noise that is there in one frame only reads as still, an arrival or a moving edge does
 * not (session 11: on the temporal clip 3.68x -> 3.06x flicker and +0.56 dB, moving pixels kept).
 * The look-ahead counts only where the restored frame removed most of that one-frame change (a
 * streak's residue); where it kept it, it is a small object moving faster than its own size, and
 * stays ({@link #KEPT_SHARE}; session 12). Motion is then taken as regions: a pixel at the threshold
 * seeds one, and it takes in the neighbours that change more than most of the frame, so a moving
 * object's faint parts move with its edges ({@link #WEAK_QUANTILE}; session 12).
 * A scene cut (a mean change above 0.12 in the input, and above {@link #RESTORED_CUT} between the
 * restored frame and the previous restored one; 0.12 where the input is not seen) starts afresh. Frames that went out unrestored (route passthrough) are not blended and restart
 * the filter, so an original never mixes with restored frames; images of a folder (frames with a
 * file name) are never blended. A change of light that the input shows too (over {@link #LIGHT_FLOOR}
 * a frame: exposure, a cloud) is followed, not smoothed: the previous output is scaled to the new
 * light before the blend (session 13); not where the input changes as much as at a cut while the
 * restored frame does not (haze arriving or lifting: the change is the degradation's; session 19).
 *
 * <p>Warm-up after a restart: the n-th frame since the stream started or was cut gives the previous
 * output a weight of at most (n - 1) / n, so the output is the plain mean of the frames since the
 * restart until n reaches the strength's own horizon (33 frames at 0.97). Without it the first
 * frame after a cut stays at 0.97 ^ n (74 % after 10 frames): a badly restored first frame of a new
 * degradation was carried for seconds (`./daair eval`, by route, session 7).
 *
 * <p>Frames of a stream must arrive in order (the sink's order); one instance serves many streams.
 */
public final class TemporalStabilizer {

    /** Mean blurred luma change above which two frames are different scenes. */
    static final double SCENE_CUT = 0.12;
    /**
     * Where the input's mean change is above {@link #SCENE_CUT}, the restored frame's mean change
     * against the previous restored frame above which the scene is cut. Against the previous
     * restored frame, not the previous output, so that the decision does not depend on the filter's
     * own state: against the output, the temporal clip's haze -> noise switch read 0.1223 against
     * 0.12, and small changes to the filter moved it below, carrying the hazy output into the noise
     * (-1.4 to -2.7 dB; session 12). Against the restored frame it reads 0.114 there, and 0.075 at
     * the rain -> haze switch, whose restored frames stay close.
     */
    static final double RESTORED_CUT = 0.10;
    /**
     * Motion as regions: a pixel whose change reaches the threshold seeds a region, which grows
     * through the 8-neighbours whose change is at least a weak level; a region's pixels count as
     * moving and are taken as they are. A moving object's low-contrast inside and shadow join its
     * edges, so the threshold can be higher for the restorer's boiling and the input's noise, which
     * are scattered and rarely reach it (session 12: 3.12x -> 2.69x flicker on the temporal clip
     * with the threshold 0.085, moving pixels kept). Pixels outside any region keep their own change (a slow car in noise
     * seeds no region; capping them lost it 1.5 dB). The weak level is the frame's
     * {@link #WEAK_QUANTILE} quantile of change, at least {@link #MIN_WEAK}: at a fixed level,
     * regions ran through a whole noisy frame.
     */
    static final double WEAK_QUANTILE = 0.75;
    static final double MIN_WEAK = 0.01;
    /** Default motion blur radius: a 5 x 5 box. */
    public static final int DEFAULT_RADIUS = 2;

    /** Radius of the local mean taken off every luma change before motion is measured. */
    static final int GLOBAL_RADIUS = 15;

    private final double strength;
    private final double motionThreshold;
    private final double motionFloor;
    private final int radius;
    private final Map<String, float[]> previous = new HashMap<>();
    /** Per stream: the luma of the last restored frame, as restored (for the scene-cut test). */
    private final Map<String, float[]> lastRestored = new HashMap<>();
    /** Per stream: frames averaged since the last restart (the warm-up). */
    private final Map<String, Integer> sinceRestart = new HashMap<>();
    /** Per stream: frames since the level's average restarted (a restart, or the input's jump). */
    private final Map<String, Integer> sinceLevelRestart = new HashMap<>();
    /** Per stream: the last input frame's luma and its sequence number (from {@link #observeInput}). */
    private final Map<String, InputState> inputs = new HashMap<>();

    /** The input's signed change is averaged over (2 r + 1)^2 pixels ... */
    static final int INPUT_RADIUS = 2;
    /** ... and spread over (2 r + 1)^2 by a maximum. */
    static final int INPUT_SPREAD = 2;

    /** Most input motion maps kept per stream while their restored frames are on their way (the
     * queues hold far fewer; beyond it the oldest go, and their frames use the restored motion alone). */
    static final int MAX_PENDING_INPUTS = 64;

    private static final class InputState {
        float[] luma;
        /** the luma of the input frames seq - 1 and seq - 2 (null where not decoded in sequence) */
        float[] luma1;
        float[] luma2;
        long seq = -2;
        /** the highest sequence number whose motion map will not change any more */
        long finalUpTo = Long.MIN_VALUE;
        /** the decoder saw the stream's end: no input frame will follow */
        boolean ended;
        /** seq -> the input's motion at seq */
        final java.util.TreeMap<Long, InputMotion> motion = new java.util.TreeMap<>();
    }

    /**
     * The input's change ({@link #inputChange}) before the spread that {@link #apply} gives it once
     * it is final: {@code past}, the smaller of t against t-1 and t against t-2, and {@code raw},
     * that lowered by the look-ahead (t+1 against t-1, {@link #observeInput}); with the mean change,
     * for the scene-cut test, and the change of light (t against t-1, {@link #lightChange}); and the
     * input's luma at t, the level's witness at a switch ({@link #holdLevel}; the array the decoder's
     * state already held, kept while the frame is pending: a third plane beside the two maps).
     */
    record InputMotion(float[] raw, float[] past, double meanChange, double lightChange, float[] luma) {
        InputMotion(float[] raw, double meanChange, double lightChange, float[] luma) {
            this(raw, raw, meanChange, lightChange, luma);
        }

        /** Lowered by another change of the same frame against the past (t against t-2). */
        InputMotion lowered(float[] other) {
            float[] m = min(raw, other);
            return new InputMotion(m, m, meanChange, lightChange, luma);
        }

        /** Lowered by the look-ahead (t+1 against t-1): {@code past} stays. */
        InputMotion lookahead(float[] other) {
            return new InputMotion(min(raw, other), past, meanChange, lightChange, luma);
        }
    }

    /**
     * A change of light that the input shows too is the scene's (a camera's exposure adjusting to a
     * white car that drives in, a cloud, dusk), and is followed: where the input's median luma ratio
     * (frame to frame) moves by more than this, the previous output is scaled by the restored
     * frame's median luma ratio to it, by at most the input's, and only where both change the same
     * way. A change of light in the restored frames alone (haze removal re-estimating the airlight,
     * the route switching) is still smoothed. Without it, the temporal clip's camera darkening by
     * 1-3 % a frame was lagged, and its moving pixels lost most of the 0.2 dB that the threshold may
     * cost them; with it they lose almost nothing at the same threshold, so the threshold rose from
     * 0.085 to 0.195 (session 13: flicker 2.69x -> 1.90x, +0.56 dB; 0.2 with {@link #compensate}).
     * A gain, as exposure is. 2 %: under it, noise, rain and drifting haze move the input's median,
     * and a slow drift of light is smoothed as before (a floor subtracted from the input's change
     * instead of a gate lagged the followed change).
     */
    static final double LIGHT_FLOOR = 0.02;
    /** Motion compensation ({@link #compensate}): pixels weighted under this share of the strength are compensated ... */
    static final double MC_BELOW = 0.5;
    /** ... by blocks of this side ... */
    static final int MC_BLOCK = 8;
    /** ... shifted by up to this many pixels either way ... */
    static final int MC_RANGE = 6;
    /** ... and blended fully below this compensated luma difference (averaged over (2 {@link #MC_RADIUS} + 1)^2) ... */
    static final double MC_FLOOR = 0.01;
    /** ... and not at all from this one (a wrong shift, or a change of shape). */
    static final double MC_THRESHOLD = 0.08;
    static final int MC_RADIUS = 2;
    /** Luma below which the light ratio is taken against this instead (black stays black whatever the light). */
    static final float LIGHT_DARK = 0.02f;

    /**
     * Where the input's change at frame t is there in that frame only (the look-ahead lowered it)
     * and the restored frame kept at least this share of it, the change is a fast object, not a
     * streak's residue: the look-ahead is not used there. A small object that moves by more than its
     * own size per frame is in each place for one frame only, as a rain streak is; derain removes
     * the streak and keeps the object. Without this, such an object lost 20 % of its contrast at its
     * own size per frame and 85 % at twice it (session 12). 0.7: the residue of derained streaks keeps
     * far less; an object that restoration dims by a third is still kept.
     */
    static final double KEPT_SHARE = 0.7;

    /**
     * Only to measure what it gave (-Ddaair.stabilizer.lightAtSwitch=true): the light followed also
     * where the input's mean change passes {@link #SCENE_CUT} and the restored frame's does not (no
     * cut). There the input's light is the degradation's: the temporal clip's rain -> haze switch
     * brightens the input by 50 % and the restorer by 23 %, and v21's output was carried 23 % too
     * bright into the haze, where the level hold kept it (session 19: v21 26.91 dB / 1.16x -> 28.09
     * dB / 1.06x; v14 unchanged, 30.21 dB / 1.39x).
     */
    private final boolean lightAtSwitch = Boolean.getBoolean("daair.stabilizer.lightAtSwitch");

    /** Whether what moves is blended along its motion ({@link #compensate}). */
    private final boolean motionCompensation;
    /** The weight of the previous output's level on what is still ({@link #holdLevel}; 0: off). */
    private final double levelStrength;
    /** The default level strength (temporal.level_strength). */
    public static final double DEFAULT_LEVEL_STRENGTH = 0.99;

    /**
     * A cut whose two frames show the same scene ({@link #sceneCorrelation} above this) keeps the
     * filter going: the previous output is re-lit to the new restored frame ({@link #remap}) rather
     * than dropped. Where the restorer changes its mind about a still scene (a new degradation, a
     * new route), a restart showed a second of boiling while the warm-up averaged it out (session 14).
     */
    static final double SAME_SCENE = 0.5;
    static final int REMAP_RADIUS = 2;
    static final double REMAP_EPS = 1e-4;
    /**
     * What the re-lit output counts for in the warm-up: kept at the strength, the old restorer's
     * errors faded slower than a fresh mean averages noise (the clip: 4 frames 29.88 dB, 8 frames
     * 29.80, the strength 29.78; -Ddaair.stabilizer.keptFrames=N to measure another).
     */
    static final int KEPT_FRAMES = Integer.getInteger("daair.stabilizer.keptFrames", 4);
    /** Off only to measure what keeping the scene through a cut gives (-Ddaair.stabilizer.keepScene=false). */
    private final boolean keepScene = !"false".equals(System.getProperty("daair.stabilizer.keepScene"));
    /** What the level does at a switch of degradation with no cut ({@link #holdLevel}): starts afresh where the restored level agrees with the input's, never, or always. */
    enum LevelAtSwitch { AGREE, NEVER, ALWAYS }
    /**
     * -Ddaair.stabilizer.levelAtSwitch=never|always, only to measure: the level held through every
     * switch (before session 20), or started afresh at every one (session 17's experiment: the
     * clip with v14 30.21 -> 30.53 dB but flicker 1.39x -> 1.66x, the hazy restorer's level followed).
     */
    private final LevelAtSwitch levelAtSwitch = LevelAtSwitch.valueOf(
            System.getProperty("daair.stabilizer.levelAtSwitch", "agree").toUpperCase(java.util.Locale.ROOT));
    /**
     * At a switch of degradation with no cut, the restored frame's level (the mean of what is still)
     * within this of the input's: the new degradation keeps the mean (noise, blur), the restored
     * level is right, and the level held from before is another restorer's ({@link #holdLevel}).
     * The temporal clips' noisy frames: within 0.011; rain 0.023-0.04 (streaks brighten the
     * input), haze 0.2-0.4.
     */
    static final double LEVEL_AGREE = 0.015;

    /** How long {@link #apply} waits for the next input frame, whose look-ahead completes this frame's motion map. */
    private final long lookaheadWaitMillis;

    /**
     * @param strength        0 (off) .. <1: weight of the previous output on a still pixel
     * @param motionThreshold blurred luma change (0..1) from which a pixel counts as moving
     */
    public TemporalStabilizer(double strength, double motionThreshold) {
        this(strength, motionThreshold, DEFAULT_RADIUS);
    }

    /** @param radius motion is measured on luma blurred over (2 radius + 1)^2 pixels */
    public TemporalStabilizer(double strength, double motionThreshold, int radius) {
        this(strength, motionThreshold, radius, 0);
    }

    /**
     * @param motionFloor changes below this are never motion: such pixels get the full strength
     *                    (0 = the weight falls from the first change on)
     */
    public TemporalStabilizer(double strength, double motionThreshold, int radius, double motionFloor) {
        this(strength, motionThreshold, radius, motionFloor, 0);
    }

    /**
     * @param lookaheadWaitMillis how long {@link #apply} may wait for the next input frame of the
     *                            stream to be observed (0: never wait, use what is there). A pipeline
     *                            decodes ahead, so in file mode the wait ends at once and results do
     *                            not depend on timing; a live stream that stalls costs this much once.
     */
    public TemporalStabilizer(double strength, double motionThreshold, int radius, double motionFloor, long lookaheadWaitMillis) {
        this(strength, motionThreshold, radius, motionFloor, lookaheadWaitMillis, true);
    }

    /**
     * @param motionCompensation whether what moves is blended along its motion ({@link #compensate}):
     *                           moving objects are denoised too, at some cost in time where much moves
     */
    public TemporalStabilizer(double strength, double motionThreshold, int radius, double motionFloor, long lookaheadWaitMillis,
                              boolean motionCompensation) {
        this(strength, motionThreshold, radius, motionFloor, lookaheadWaitMillis, motionCompensation, DEFAULT_LEVEL_STRENGTH);
    }

    /**
     * @param levelStrength 0 (off) .. <1: weight of the previous output's level (the mean of what is
     *                      still) against the restored frame's, when more than the pixels' ({@link #holdLevel})
     */
    public TemporalStabilizer(double strength, double motionThreshold, int radius, double motionFloor, long lookaheadWaitMillis,
                              boolean motionCompensation, double levelStrength) {
        if (levelStrength < 0 || levelStrength >= 1) {
            throw new IllegalArgumentException("level strength must be in [0, 1), not " + levelStrength);
        }
        this.levelStrength = levelStrength;
        this.motionCompensation = motionCompensation;
        if (lookaheadWaitMillis < 0) {
            throw new IllegalArgumentException("look-ahead wait must be >= 0, not " + lookaheadWaitMillis);
        }
        this.lookaheadWaitMillis = lookaheadWaitMillis;
        if (radius < 0) {
            throw new IllegalArgumentException("radius must be >= 0");
        }
        this.radius = radius;
        if (strength < 0 || strength >= 1) {
            throw new IllegalArgumentException("strength must be in [0, 1), not " + strength);
        }
        if (motionThreshold <= 0) {
            throw new IllegalArgumentException("motion threshold must be > 0, not " + motionThreshold);
        }
        if (motionFloor < 0 || motionFloor >= motionThreshold) {
            throw new IllegalArgumentException("motion floor must be in [0, motion threshold " + motionThreshold + "), not " + motionFloor);
        }
        this.strength = strength;
        this.motionThreshold = motionThreshold;
        this.motionFloor = motionFloor;
    }

    /** The stabilised version of restored frame {@code f} (f itself when nothing is blended). */
    public Frame apply(Frame f) {
        return apply(f, null);
    }

    /**
     * Tells the stabiliser about an input frame before it is restored, in decoding order (the
     * decoding thread calls this; the stream's end-of-stream marker too). The input's motion at
     * frame t is kept until {@link #apply} meets the restored frame of the same sequence number. It
     * counts only what the input at t changed against both t-1 and t-2, and what t+1 still shows
     * against t-1 (the look-ahead): a moving edge, or anything that arrives and stays, changes all
     * three; a rain streak or noise that is there in one frame only does not, and so reads as still.
     * Images of a folder and frames without a predecessor are ignored.
     */
    public void observeInput(Frame input) {
        if (input.isEndOfStream()) {
            synchronized (this) {
                InputState st = inputs.get(input.streamId());
                if (st != null) {
                    st.ended = true;
                    notifyAll();
                }
            }
            return;
        }
        if (input.name() != null || strength == 0) {
            return;
        }
        // the filtering runs outside the lock: the writer thread's apply() need not wait for it
        int w = input.width();
        int h = input.height();
        float[] luma = luma(input.rgb(), w * h);
        float[] before;
        float[] before2;
        synchronized (this) {
            InputState st = inputs.computeIfAbsent(input.streamId(), k -> new InputState());
            boolean inSequence = st.luma != null && st.seq == input.seq() - 1 && st.luma.length == luma.length;
            before = inSequence ? st.luma : null;
            before2 = inSequence ? st.luma1 : null;
            st.luma2 = before2;
            st.luma1 = before;
            st.luma = luma;
            st.seq = input.seq();
        }
        if (before == null) {
            return;
        }
        InputMotion motion = inputChange(luma, before, w, h);
        // I(t) - I(t-2): this frame's second test, and the previous frame's look-ahead (I(t'+1) - I(t'-1))
        float[] skip = before2 == null ? null : signedChange(difference(luma, before2), w, h, null);
        if (skip != null) {
            motion = motion.lowered(skip);
        }
        InputMotion previousFrame;
        synchronized (this) {
            InputState st = inputs.get(input.streamId());
            previousFrame = st == null || skip == null ? null : st.motion.get(input.seq() - 1);
        }
        InputMotion revised = previousFrame == null ? null : previousFrame.lookahead(skip);
        synchronized (this) {
            InputState st = inputs.get(input.streamId());
            if (st != null) {
                if (revised != null && st.motion.containsKey(input.seq() - 1)) {
                    st.motion.put(input.seq() - 1, revised);
                }
                st.motion.put(input.seq(), motion);
                while (st.motion.size() > MAX_PENDING_INPUTS) {
                    st.motion.pollFirstEntry();
                }
                st.finalUpTo = input.seq() - 1;
                notifyAll();
            }
        }
    }

    /** Waits (up to the look-ahead wait) until frame SEQ's input motion is final: the next input was observed or the stream ended. */
    private void awaitLookahead(String streamId, long seq) {
        long deadline = System.nanoTime() + lookaheadWaitMillis * 1_000_000L;
        while (true) {
            InputState st = inputs.get(streamId);
            long left = deadline - System.nanoTime();
            if (st == null || st.ended || st.finalUpTo >= seq || left <= 0) {
                return;   // st == null: no input is seen for this stream (the distributed sink)
            }
            try {
                wait(Math.max(1, left / 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * As {@link #apply(Frame)}, with the per-pixel motion given instead of measured (evaluation:
     * the clean video's own motion, {@link #motion}, shows what the filter would reach with a
     * perfect motion detector).
     *
     * @param givenMotion blurred luma change per pixel, or null to measure it on the restored frames
     */
    public synchronized Frame apply(Frame f, float[] givenMotion) {
        if (f.isEndOfStream()) {
            forget(f.streamId());
            return f;
        }
        boolean blendable = strength > 0 && !FrameRestorer.PASSTHROUGH.equals(f.route()) && f.route() != null && f.name() == null;
        float[] cur = f.rgb();
        float[] prev = previous.get(f.streamId());
        if (blendable && prev != null && prev.length == cur.length && givenMotion == null && lookaheadWaitMillis > 0) {
            awaitLookahead(f.streamId(), f.seq());   // only a frame that will be blended needs its input's motion
        }
        InputMotion inputMotion = null;
        InputState in = inputs.get(f.streamId());
        if (in != null) {
            inputMotion = in.motion.get(f.seq());
            in.motion.headMap(f.seq(), true).clear();   // this frame's and older ones are done
        }
        // images of a folder (they carry their file name) are unrelated pictures, never blended
        if (!blendable) {
            previous.remove(f.streamId());
            lastRestored.remove(f.streamId());
            return f;
        }
        int plane = f.width() * f.height();
        float[] y = luma(cur, plane);
        float[] yRestoredBefore = lastRestored.put(f.streamId(), y);
        if (prev == null || prev.length != cur.length) {
            restart(f.streamId(), cur);
            return f;
        }
        int w = f.width();
        int h = f.height();
        float[] yPrev = luma(prev, plane);
        boolean inputSeen = inputMotion != null && inputMotion.raw().length == plane;
        float[] motion = givenMotion;
        boolean cut;
        if (motion == null) {
            // the restored frame's change: against the last restored frame where there is one
            float[] before = yRestoredBefore != null && yRestoredBefore.length == plane ? yRestoredBefore : yPrev;
            double mean = 0;
            for (int i = 0; i < plane; i++) {
                mean += Math.abs(y[i] - before[i]);
            }
            cut = inputSeen ? mean / plane > RESTORED_CUT && inputMotion.meanChange() > SCENE_CUT : mean / plane > SCENE_CUT;
            if (cut && keepScene && sceneCorrelation(y, yPrev, w, h) > SAME_SCENE) {
                // the same scene, restored differently (the degradation or the route changed, the
                // light jumped): keep what was accumulated, re-lit to the new frame
                prev = remap(prev, cur, w, h);
                yPrev = luma(prev, plane);
                cut = false;
                // worth a few frames, not the whole history: its errors (the old restorer's) would
                // otherwise fade at the strength's pace, slower than a fresh mean averages noise
                sinceRestart.put(f.streamId(), KEPT_FRAMES);
            }
            float[] d = new float[plane];
            for (int i = 0; i < plane; i++) {
                d[i] = y[i] - yPrev[i];
            }
            // the restored change by the input's own measure, before localChange consumes d
            float[] restoredSigned = inputSeen ? signedChange(d, w, h, null) : null;
            motion = localChange(d, w, h, radius);
            if (inputSeen) {
                float[] input = keepFastObjects(inputMotion, restoredSigned);
                float[] inputSpread = max(input, w, h, INPUT_SPREAD);   // once, now that it is final
                for (int i = 0; i < plane; i++) {
                    motion[i] = Math.min(motion[i], inputSpread[i]);
                }
            }
            raiseRegions(motion, w, h);
        } else {
            double mean = 0;
            for (float m : motion) {
                mean += m;
            }
            cut = mean / motion.length > SCENE_CUT;
        }
        if (cut) {
            restart(f.streamId(), cur);
            return f;
        }
        float[] out = new float[cur.length];
        double ramp = motionThreshold - motionFloor;
        // counted up to a bound: past the strength's horizon the cap no longer binds, and a live
        // stream without cuts would otherwise overflow the count after years
        int n = sinceRestart.merge(f.streamId(), 1, (a, b) -> Math.min(a + b, 1 << 20));
        double cap = (n - 1.0) / n;
        // where the input changed as much as at a cut but the restored frame did not (haze arriving
        // or lifting: the restorer removes what the input gained), the input's change of light is
        // the degradation's, not the scene's: nothing to follow ({@link #lightAtSwitch})
        boolean inputSwitched = inputSeen && inputMotion.meanChange() > SCENE_CUT;
        double gain = givenMotion == null && inputSeen && (lightAtSwitch || !inputSwitched)
                ? lightGain(lightChange(y, yPrev), inputMotion.lightChange()) : 1;
        float[] weights = new float[plane];
        boolean anyMoving = false;
        for (int i = 0; i < plane; i++) {
            weights[i] = (float) weight(motion[i], cap, ramp);
            anyMoving |= weights[i] < MC_BELOW * strength;
        }
        // the bound (motion given) stays the plain filter
        int[] source = motionCompensation && givenMotion == null && anyMoving ? compensate(y, yPrev, weights, cap, w, h) : null;
        float[] history = prev;
        forEach(h, plane, row -> {
            for (int i = row * w; i < (row + 1) * w; i++) {
                double wgt = weights[i];
                int from = source == null ? i : source[i];
                for (int c = 0; c < 3; c++) {
                    int k = c * plane + i;
                    out[k] = (float) (wgt * gain * history[c * plane + from] + (1 - wgt) * cur[k]);
                }
            }
        });
        // only where the input is seen: without it (the distributed sink) a change of light cannot
        // be told from the restorer's, and the level would lag it for 100 frames instead of 33
        if (levelStrength > 0 && givenMotion == null && inputSeen) {   // the bound stays the plain filter
            double levelCap = cap;
            Integer sinceLevel = sinceLevelRestart.get(f.streamId());
            if (sinceLevel != null) {   // the level restarted after the filter did ({@link #holdLevel})
                int m = Math.min(sinceLevel + 1, 1 << 20);
                sinceLevelRestart.put(f.streamId(), m);
                levelCap = Math.min(cap, (m - 1.0) / m);
            }
            boolean atSwitch = levelAtSwitch != LevelAtSwitch.NEVER && inputSwitched;
            holdLevel(out, history, cur, weights, gain, Math.min(levelStrength, levelCap), w, h,
                    inputMotion, atSwitch, f.streamId());
        }
        previous.put(f.streamId(), out);
        return f.withPixels(out);
    }

    /**
     * The level of what is still, averaged longer than its pixels: per channel, the still pixels
     * of OUT (weighted by how still: weight / strength) are shifted together so that their mean is
     * LEVEL times the previous output's there (re-lit by GAIN, as the blend) plus 1 - LEVEL times
     * the restored frame's. A restorer's error in overall brightness changes from frame to frame
     * (haze removal re-estimating the airlight, an expert's bias); the pixel blend spreads it over
     * the strength's horizon (33 frames at 0.97), the level over LEVEL's (100 at 0.99), bounded by
     * the warm-up as the pixels are. A change of light the input shows is followed before this
     * (GAIN); moving pixels are not shifted. Only where the input is seen. (Session 16: on four
     * realisations of the temporal clip flicker 1.56x -> 1.39x, 1.64x -> 1.42x, 1.71x -> 1.44x and
     * the first clip's 3.20x -> 3.06x, with stabilised PSNR and moving pixels no worse on any.)
     *
     * <p>At a switch of degradation with no cut (ATSWITCH: the input's mean change passes
     * {@link #SCENE_CUT}, the restored frame's does not), the level starts afresh (LEVEL 0, then the
     * warm-up's 1 / n again) where the restored level is the input's to {@link #LEVEL_AGREE}: haze
     * lifting into noise, where the restorer's level is right and the level held through the haze
     * is the hazy restorer's, whatever the camera's exposure did meanwhile. Where haze arrives the
     * two do not agree, and the level from before is held. (Session 20: without it a restorer whose
     * hazy frames close to the noisy ones made no cut, and the output stayed 0.05-0.06 too dark
     * through the noise: v21 + v14's experts on the clip 27.68 -> 29.53 dB, flicker 1.05x -> 1.10x.)
     */
    private void holdLevel(float[] out, float[] history, float[] cur, float[] weights, double gain, double level,
                           int w, int h, InputMotion input, boolean atSwitch, String streamId) {
        int plane = w * h;
        double inv = 1 / strength;
        // per row: how still, then per channel the stillness-weighted sums of out, history and cur;
        // rows over the cores, summed in row order (the same result on any number of cores)
        boolean withInput = atSwitch && input != null && input.luma() != null && input.luma().length == plane;
        double[][] rows = new double[h][11];
        forEach(h, plane, row -> {
            double[] r = rows[row];
            for (int i = row * w; i < (row + 1) * w; i++) {
                double st = weights[i] * inv;
                r[0] += st;
                for (int c = 0; c < 3; c++) {
                    int k = c * plane + i;
                    r[1 + c] += st * out[k];
                    r[4 + c] += st * history[k];
                    r[7 + c] += st * cur[k];
                }
                if (withInput) {
                    r[10] += st * input.luma()[i];
                }
            }
        });
        double[] sum = new double[11];
        for (double[] r : rows) {
            for (int j = 0; j < 11; j++) {
                sum[j] += r[j];
            }
        }
        if (sum[0] < 1) {
            return;   // nothing still: nothing to hold
        }
        double[] shift = new double[3];
        if (withInput) {
            // at a switch of degradation with no cut: where the restored frame's level is now the
            // input's (noise, blur: degradations that keep the mean), the level held from before
            // (another restorer's, in another degradation) is the one in doubt, and starts afresh
            double restoredLevel = (sum[7] + sum[8] + sum[9]) / (3 * sum[0]);
            double inputLevel = sum[10] / sum[0];
            if (levelAtSwitch == LevelAtSwitch.ALWAYS || Math.abs(restoredLevel - inputLevel) < LEVEL_AGREE) {
                level = 0;
                sinceLevelRestart.put(streamId, 1);
            }
        }
        for (int c = 0; c < 3; c++) {
            shift[c] = (level * gain * sum[4 + c] + (1 - level) * sum[7 + c] - sum[1 + c]) / sum[0];
        }
        forEach(h, plane, row -> {
            for (int i = row * w; i < (row + 1) * w; i++) {
                double st = weights[i] * inv;
                for (int c = 0; c < 3; c++) {
                    int k = c * plane + i;
                    double v = out[k] + shift[c] * st;
                    out[k] = (float) (v < 0 ? 0 : (v > 1 ? 1 : v));
                }
            }
        });
    }

    /**
     * Motion compensation for what moves: each 8 x 8 block that holds a pixel the motion test takes
     * (nearly) as it is ({@link #MC_BELOW}) looks for its content in the previous output, up to
     * {@link #MC_RANGE} (+ 1) pixels away (the smallest sum of absolute luma differences, the
     * shorter shift on a tie; on a quarter of the pixels first, then refined by a pixel on all).
     * Such a pixel is then blended with the previous output at that shift, with a weight that falls
     * from the strength at {@link #MC_FLOOR} to 0 at {@link #MC_THRESHOLD} of the compensated
     * difference averaged over 5 x 5, where that gives it more weight than the motion test did. A
     * moving car in noise was taken as it was restored, boiling; now it is denoised along its motion
     * (session 13: its moving pixels in the first clip's noise +0.8 dB, that clip's flicker 4.03x ->
     * 3.87x; the threshold then rose to 0.2 by the moving-pixel rule). A wrong shift leaves a large
     * difference, and so no weight.
     *
     * @param weights the motion test's weights, raised in place where the compensated blend gives more
     * @return per pixel, the pixel of the previous output to blend with (itself where not compensated)
     */
    int[] compensate(float[] y, float[] yPrev, float[] weights, double cap, int w, int h) {
        int plane = w * h;
        int[] source = new int[plane];
        float[] diff = new float[plane];
        for (int i = 0; i < plane; i++) {
            source[i] = i;
            diff[i] = Math.abs(y[i] - yPrev[i]);
        }
        double below = MC_BELOW * strength;
        // block rows are independent: each writes its own pixels only
        forEach((h + MC_BLOCK - 1) / MC_BLOCK, plane, blockRow -> {
            int y0 = blockRow * MC_BLOCK;
            int y1 = Math.min(h, y0 + MC_BLOCK);
            for (int x0 = 0; x0 < w; x0 += MC_BLOCK) {
                int x1 = Math.min(w, x0 + MC_BLOCK);
                boolean moving = false;
                for (int py = y0; py < y1 && !moving; py++) {
                    for (int px = x0; px < x1; px++) {
                        if (weights[py * w + px] < below) {
                            moving = true;
                            break;
                        }
                    }
                }
                if (!moving) {
                    continue;
                }
                // every shift within range on every other pixel of every other row, then the best
                // refined by a pixel on all of them (a third of the work of a full search; a
                // search on half-size luma instead lost fine textures)
                int[] coarse = bestShift(y, yPrev, w, h, x0, y0, x1, y1, -MC_RANGE, MC_RANGE, -MC_RANGE, MC_RANGE, 2);
                int[] fine = bestShift(y, yPrev, w, h, x0, y0, x1, y1,
                        coarse[0] - 1, coarse[0] + 1, coarse[1] - 1, coarse[1] + 1, 1);
                int bx = fine[0];
                int by = fine[1];
                for (int py = y0; py < y1; py++) {
                    int row = clamp(py + by, h) * w;
                    for (int px = x0; px < x1; px++) {
                        int i = py * w + px;
                        source[i] = row + clamp(px + bx, w);
                        diff[i] = Math.abs(y[i] - yPrev[source[i]]);
                    }
                }
            }
        });
        float[] residual = box(diff, w, h, MC_RADIUS);
        double ramp = MC_THRESHOLD - MC_FLOOR;
        for (int i = 0; i < plane; i++) {
            if (weights[i] < below) {
                double wmc = Math.min(cap, strength * Math.min(1, Math.max(0, (MC_THRESHOLD - residual[i]) / ramp)));
                if (wmc > weights[i]) {
                    weights[i] = (float) wmc;
                    continue;
                }
            }
            source[i] = i;
        }
        return source;
    }

    /**
     * The shift (dx, dy), within the given ranges, that best matches the block [x0, x1) x [y0, y1)
     * of A in B (smallest sum of absolute differences over every STEP-th pixel of every STEP-th row,
     * coordinates clamped at the edges; on a tie, the shorter shift).
     */
    static int[] bestShift(float[] a, float[] b, int w, int h, int x0, int y0, int x1, int y1,
                           int dxFrom, int dxTo, int dyFrom, int dyTo, int step) {
        double tie = 1e-4 * ((y1 - y0 + step - 1) / step) * ((x1 - x0 + step - 1) / step);
        double best = Double.MAX_VALUE;
        int[] shift = {0, 0};
        for (int dy = dyFrom; dy <= dyTo; dy++) {
            for (int dx = dxFrom; dx <= dxTo; dx++) {
                double sad = (Math.abs(dy) + Math.abs(dx)) * tie;
                for (int py = y0; py < y1 && sad < best; py += step) {
                    int row = clamp(py + dy, h) * w;
                    for (int px = x0; px < x1; px += step) {
                        sad += Math.abs(a[py * w + px] - b[row + clamp(px + dx, w)]);
                    }
                }
                if (sad < best) {
                    best = sad;
                    shift[0] = dx;
                    shift[1] = dy;
                }
            }
        }
        return shift;
    }

    /**
     * The gain that carries the previous output to the new light ({@link #LIGHT_FLOOR}): 1 + the
     * restored frame's change of light, at most the input's; 1 where the two disagree in direction
     * or the input's is not above the floor.
     */
    static double lightGain(double restored, double input) {
        if (restored * input <= 0 || Math.abs(input) <= LIGHT_FLOOR) {
            return 1;
        }
        return 1 + Math.signum(restored) * Math.min(Math.abs(restored), Math.abs(input));
    }

    /**
     * The change of light from luma B to luma A: the median over the pixels of a / b - 1 (b at
     * least {@link #LIGHT_DARK}), from a histogram over [-0.5, 0.5) in steps of 1/4096 (linear in
     * the pixels; a change beyond it reads as its end).
     */
    static double lightChange(float[] a, float[] b) {
        int bins = 4096;
        int[] count = new int[bins];
        for (int i = 0; i < a.length; i++) {
            double r = a[i] / Math.max(b[i], LIGHT_DARK) - 1;
            int k = (int) Math.floor((r + 0.5) * bins);
            count[k < 0 ? 0 : Math.min(k, bins - 1)]++;
        }
        int k = binReaching(count, (a.length + 1) / 2);
        return k < bins ? (k + 0.5) / bins - 0.5 : 0.5;
    }

    /** Raises every region's pixels of the motion map M to the threshold, in place ({@link #WEAK_QUANTILE}); the others stay. */
    void raiseRegions(float[] m, int w, int h) {
        double weak = Math.max(MIN_WEAK, quantileBelow(m, WEAK_QUANTILE, motionThreshold));
        int n = m.length;
        boolean[] moving = new boolean[n];
        int[] stack = new int[n];
        int sp = 0;
        for (int i = 0; i < n; i++) {
            if (m[i] >= motionThreshold) {
                moving[i] = true;
                stack[sp++] = i;
            }
        }
        while (sp > 0) {
            int i = stack[--sp];
            int x = i % w;
            int row = i / w;
            for (int ny = Math.max(0, row - 1); ny <= Math.min(h - 1, row + 1); ny++) {
                for (int nx = Math.max(0, x - 1); nx <= Math.min(w - 1, x + 1); nx++) {
                    int j = ny * w + nx;
                    if (!moving[j] && m[j] >= weak) {
                        moving[j] = true;
                        stack[sp++] = j;
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (moving[i]) {
                m[i] = (float) Math.max(m[i], motionThreshold);
            }
        }
    }

    /**
     * The Q quantile of V from a histogram of 1024 bins over [0, top) (values at or above top fall
     * in the last bin, so a quantile there reads as top): linear in the pixels, not a sort.
     */
    static double quantileBelow(float[] v, double q, double top) {
        int bins = 1024;
        int[] count = new int[bins];
        for (float x : v) {
            int b = (int) (x / top * bins);
            count[b < 0 ? 0 : Math.min(b, bins - 1)]++;
        }
        int b = binReaching(count, (long) Math.ceil(q * v.length));
        return b < bins ? (b + 1) * top / bins : top;
    }

    /** The first bin of a histogram at which the count so far reaches WANT (the number of bins if none does). */
    private static int binReaching(int[] count, long want) {
        long seen = 0;
        for (int b = 0; b < count.length; b++) {
            seen += count[b];
            if (seen >= want) {
                return b;
            }
        }
        return count.length;
    }

    /** Blurred luma change between two frames (planar RGB) with this stabiliser's radius. */
    public float[] motion(float[] a, float[] b, int w, int h) {
        return blurredLumaChange(a, b, w, h, radius);
    }

    /**
     * How many frames the stream's current average holds, as the filter counts them: 1 at the
     * stream's first frame and after a restart ({@link WarmStart} opens a window there), {@link
     * #KEPT_FRAMES} + 1 after a cut whose scene stayed; 0 when nothing is held.
     */
    synchronized int averaged(String streamId) {
        return previous.containsKey(streamId) ? sinceRestart.getOrDefault(streamId, 0) : 0;
    }

    /** The stream ended: drop its state. */
    public synchronized void forget(String streamId) {
        previous.remove(streamId);
        lastRestored.remove(streamId);
        sinceRestart.remove(streamId);
        sinceLevelRestart.remove(streamId);
        inputs.remove(streamId);
    }

    /**
     * Whether two luma frames show the same scene: the correlation of their band-pass detail (a
     * mean over the {@link #remap}'s own window less the {@link #GLOBAL_RADIUS} one: the detail the
     * remap carries over, without the light or pixel noise).
     * The temporal clip's haze -> noise switch reads 0.71, the same view a few seconds apart 0.52;
     * unrelated photos -0.02 to 0.07, the frame mirrored 0.00, shifted by 40 pixels 0.10.
     */
    static double sceneCorrelation(float[] ya, float[] yb, int w, int h) {
        float[] a = bandPass(ya, w, h);
        float[] b = bandPass(yb, w, h);
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
    }

    private static float[] bandPass(float[] y, int w, int h) {
        float[] fine = box(y, w, h, REMAP_RADIUS);
        float[] coarse = box(y, w, h, GLOBAL_RADIUS);
        for (int i = 0; i < fine.length; i++) {
            fine[i] -= coarse[i];
        }
        return fine;
    }

    /**
     * PREV mapped onto CUR, per channel, by the local least-squares affine map over
     * (2 {@link #REMAP_RADIUS} + 1)^2 pixels (a guided filter with PREV as the guide): CUR's light,
     * colour and contrast, PREV's accumulated, denoised detail. On the temporal clip's switch from
     * haze to noise, the hazy output so mapped onto the first noisy restored frame is at 35.3 dB
     * against that frame's 29.0 (a mirrored guide: 32.9).
     */
    static float[] remap(float[] prev, float[] cur, int w, int h) {
        int plane = w * h;
        float[] out = new float[prev.length];
        for (int c = 0; c < 3; c++) {
            double[] g = new double[plane];
            double[] q = new double[plane];
            for (int i = 0; i < plane; i++) {
                g[i] = prev[c * plane + i];
                q[i] = cur[c * plane + i];
            }
            double[][] ab = GuidedFilter.coefficients(g, q, w, h, REMAP_RADIUS, REMAP_EPS);
            for (int i = 0; i < plane; i++) {
                out[c * plane + i] = (float) (ab[0][i] * g[i] + ab[1][i]);
            }
        }
        return out;
    }

    /**
     * A stream's first frames averaged backwards: for each of FRAMES (restored, in order) the
     * average of it and the frames after it, blended from the last to the first as {@link #apply}
     * blends forwards. Each frame's motion is measured against the one after it on the restored
     * frames themselves ({@link #localChange}: no input is seen backwards), and the average is
     * re-lit by the restored frames' own change of light, so a camera's exposure drift is followed.
     * Where the frames agree it is their mean; where something moves, the frame's own pixels; a cut
     * keeps only the frames before it. Null for any frame of another size than the first's, or when
     * the first is not a frame this filter blends. {@link WarmStart} joins it to the forward average.
     */
    float[][] backwardMeans(List<Frame> frames) {
        Frame first = frames.get(0);
        float[][] out = new float[frames.size()][];
        if (strength == 0 || FrameRestorer.PASSTHROUGH.equals(first.route()) || first.route() == null || first.name() != null) {
            return out;
        }
        int w = first.width();
        int h = first.height();
        int plane = w * h;
        int last = 0;
        while (last + 1 < frames.size() && frames.get(last + 1).width() == w && frames.get(last + 1).height() == h) {
            last++;
        }
        float[] acc = frames.get(last).rgb().clone();
        out[last] = acc.clone();
        float[] yLater = luma(acc, plane);
        int n = 1;
        double ramp = motionThreshold - motionFloor;
        for (int t = last - 1; t >= 0; t--) {
            float[] cur = frames.get(t).rgb();
            float[] y = luma(cur, plane);
            float[] d = difference(y, yLater);
            double mean = 0;
            for (float v : d) {
                mean += Math.abs(v);
            }
            float[] motion = localChange(d, w, h, radius);   // as apply() measures the restored change
            if (mean / plane > SCENE_CUT) {
                acc = cur.clone();   // the frames after t are another scene
                n = 1;
            } else {
                n++;
                double cap = (n - 1.0) / n;
                double gain = 1 + lightChange(y, yLater);
                for (int i = 0; i < plane; i++) {
                    double wgt = weight(motion[i], cap, ramp);
                    for (int c = 0; c < 3; c++) {
                        int k = c * plane + i;
                        acc[k] = (float) (wgt * gain * acc[k] + (1 - wgt) * cur[k]);
                    }
                }
            }
            out[t] = acc.clone();
            yLater = y;
        }
        return out;
    }

    /**
     * The previous output's weight on a pixel of this MOTION: the strength below the floor, falling
     * linearly to 0 at the threshold (RAMP = threshold - floor), at most CAP (the warm-up's).
     */
    private double weight(double motion, double cap, double ramp) {
        return Math.min(cap, strength * Math.min(1, Math.max(0, (motionThreshold - motion) / ramp)));
    }

    /** Start afresh from CUR (the first frame of the warm-up). */
    private void restart(String streamId, float[] cur) {
        previous.put(streamId, cur.clone());
        sinceRestart.put(streamId, 1);
        sinceLevelRestart.remove(streamId);
    }

    /** |luma(a) - luma(b)| averaged over a (2 RADIUS + 1)^2 box, per pixel (separable box filter). */
    static float[] blurredLumaChange(float[] a, float[] b, int w, int h) {
        return blurredLumaChange(a, b, w, h, DEFAULT_RADIUS);
    }

    static float[] blurredLumaChange(float[] a, float[] b, int w, int h, int radius) {
        int plane = w * h;
        return blurredChange(luma(a, plane), luma(b, plane), w, h, radius);
    }

    /**
     * The restored frame's motion: the signed luma change {@code d} (consumed) less its mean over
     * (2 {@link #GLOBAL_RADIUS} + 1)^2, taken absolute and averaged over (2 radius + 1)^2.
     */
    static float[] localChange(float[] d, int w, int h, int radius) {
        float[] global = box(d, w, h, GLOBAL_RADIUS);
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.abs(d[i] - global[i]);
        }
        return box(d, w, h, radius);
    }

    /** Mean of the three planes (the motion measure's luma). */
    static float[] luma(float[] rgb, int plane) {
        float[] y = new float[plane];
        for (int i = 0; i < plane; i++) {
            y[i] = (rgb[i] + rgb[plane + i] + rgb[2 * plane + i]) / 3f;
        }
        return y;
    }

    /** |ya - yb| averaged over a (2 radius + 1)^2 box, per pixel (separable box filter). */
    static float[] blurredChange(float[] ya, float[] yb, int w, int h, int radius) {
        float[] d = new float[w * h];
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.abs(ya[i] - yb[i]);
        }
        return box(d, w, h, radius);
    }

    /**
     * The input's motion: its signed luma change averaged over a (2 {@link #INPUT_RADIUS} + 1)^2
     * box (grain, noise and thin streaks cancel, a moving edge does not), less its mean over
     * (2 {@link #GLOBAL_RADIUS} + 1)^2 (haze or light changing over the whole picture is not
     * motion), taken absolute; {@link #apply} spreads it by a (2 {@link #INPUT_SPREAD} + 1)^2 maximum
     * (the flat inside of a moving object changes little, its edges a lot). The mean absolute 5x5
     * change, before the local mean is taken off, goes with it for the scene-cut test, and the change
     * of light from B to A ({@link #lightChange}) for following the light ({@link #LIGHT_FLOOR}).
     */
    static InputMotion inputChange(float[] ya, float[] yb, int w, int h) {
        double[] meanAbs = new double[1];
        float[] change = signedChange(difference(ya, yb), w, h, meanAbs);
        return new InputMotion(change, meanAbs[0], lightChange(ya, yb), ya);
    }

    /** a - b, per pixel. */
    private static float[] difference(float[] a, float[] b) {
        float[] d = new float[a.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    /**
     * The input's change as the stabiliser uses it: the look-ahead's (raw) where the restored frame
     * kept less than {@link #KEPT_SHARE} of the input's change against the past (a streak's residue),
     * the past's alone where it kept more (a fast object: it must not be blended away).
     */
    static float[] keepFastObjects(InputMotion in, float[] restoredSigned) {
        float[] raw = in.raw();
        float[] past = in.past();
        float[] out = new float[raw.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = restoredSigned[i] < KEPT_SHARE * past[i] ? raw[i] : past[i];
        }
        return out;
    }

    /**
     * |mean over (2 INPUT_RADIUS + 1)^2 - mean over (2 GLOBAL_RADIUS + 1)^2| of a signed change
     * {@code d}: {@link #inputChange}'s measure, which {@link #apply} also takes of the restored frame.
     *
     * @param meanAbs if not null, receives the mean of |mean over (2 INPUT_RADIUS + 1)^2| (the scene-cut test's)
     */
    static float[] signedChange(float[] d, int w, int h, double[] meanAbs) {
        float[] b = box(d, w, h, INPUT_RADIUS);
        float[] global = box(d, w, h, GLOBAL_RADIUS);
        double mean = 0;
        for (int i = 0; i < b.length; i++) {
            mean += Math.abs(b[i]);
            b[i] = Math.abs(b[i] - global[i]);
        }
        if (meanAbs != null) {
            meanAbs[0] = mean / b.length;
        }
        return b;
    }

    /** The smaller of two maps, per pixel. */
    static float[] min(float[] a, float[] b) {
        float[] m = new float[a.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = Math.min(a[i], b[i]);
        }
        return m;
    }

    /** Separable (2 r + 1)^2 maximum filter, edges clamped. */
    static float[] max(float[] v, int w, int h, int r) {
        float[] tmp = new float[v.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float m = v[y * w + x];
                for (int k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++) {
                    m = Math.max(m, v[y * w + k]);
                }
                tmp[y * w + x] = m;
            }
        }
        float[] out = new float[v.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float m = tmp[y * w + x];
                for (int k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++) {
                    m = Math.max(m, tmp[k * w + x]);
                }
                out[y * w + x] = m;
            }
        }
        return out;
    }

    /** Separable (2 radius + 1)^2 box average, edges clamped. */
    static float[] box(float[] d, int w, int h, int radius) {
        final int RADIUS = radius;
        int plane = w * h;
        float[] tmp = new float[plane];
        forEach(h, plane, y -> {
            double s = 0;
            int row = y * w;
            for (int x = -RADIUS; x <= RADIUS; x++) {
                s += d[row + clamp(x, w)];
            }
            for (int x = 0; x < w; x++) {
                tmp[row + x] = (float) (s / (2 * RADIUS + 1));
                s += d[row + clamp(x + RADIUS + 1, w)] - d[row + clamp(x - RADIUS, w)];
            }
        });
        float[] out = new float[plane];
        // down the columns a strip at a time, row by row (memory in order), each column's sum as
        // it was column by column: the same additions in the same order, so the same result
        int strips = (w + STRIP - 1) / STRIP;
        forEach(strips, plane, k -> {
            int x0 = k * STRIP;
            int x1 = Math.min(w, x0 + STRIP);
            double[] s = new double[x1 - x0];
            for (int y = -RADIUS; y <= RADIUS; y++) {
                int row = clamp(y, h) * w;
                for (int x = x0; x < x1; x++) {
                    s[x - x0] += tmp[row + x];
                }
            }
            for (int y = 0; y < h; y++) {
                int row = y * w;
                int below = clamp(y + RADIUS + 1, h) * w;
                int above = clamp(y - RADIUS, h) * w;
                for (int x = x0; x < x1; x++) {
                    out[row + x] = (float) (s[x - x0] / (2 * RADIUS + 1));
                    s[x - x0] += tmp[below + x] - tmp[above + x];
                }
            }
        });
        return out;
    }

    /** Columns per strip of {@link #box}'s vertical pass. */
    private static final int STRIP = 64;
    /** Frames of at least this many pixels spread the stabiliser's per-row work over the cores. */
    static final int PARALLEL_PIXELS = 1 << 16;

    /** BODY for 0 .. n-1: on the common pool's threads for frames of {@link #PARALLEL_PIXELS} or more, else in order. */
    static void forEach(int n, int pixels, java.util.function.IntConsumer body) {
        if (pixels >= PARALLEL_PIXELS) {
            java.util.stream.IntStream.range(0, n).parallel().forEach(body);
        } else {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
        }
    }

    private static int clamp(int v, int n) {
        return v < 0 ? 0 : v >= n ? n - 1 : v;
    }
}
