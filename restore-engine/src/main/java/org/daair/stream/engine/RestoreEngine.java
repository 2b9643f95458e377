package org.daair.stream.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.daair.stream.common.Frame;

/**
 * DaAIR through DJL / ONNX Runtime. Classifies each frame (or takes the forced task), smooths the
 * route per stream, and restores batches of same-route, same-size frames with that degradation's
 * graph, tiling frames larger than the tile size. Frames routed to dehaze go coarse-to-fine
 * ({@link CoarseDehaze}): the network runs on a frame about {@code coarseSide} long and a local
 * affine fit carries its result back to full size. Immutable configuration from {@link #builder()};
 * not thread-safe (one engine per worker thread, like a DJL predictor).
 */
public final class RestoreEngine implements FrameRestorer, AutoCloseable {

    /**
     * Smallest width and height the graphs take: they reflect-pad to a multiple of 8 inside, and a
     * reflection needs more pixels than it adds, so smaller frames are refused with a message
     * instead of being run through an ill-defined padding.
     */
    public static final int MIN_SIDE = 8;

    /** The route whose frames go coarse-to-fine. */
    static final String DEHAZE = "dehaze";

    private final ModelBundle bundle;
    private final Task task;
    private final int maxBatch;
    private final Classifier classifier;
    private final RouteSmoother smoother;
    private final Tiler tiler;
    private final int coarseSide;
    private final boolean coarseGuard;
    private final double coarseGuardGap;
    private final Map<String, OnnxGraph> graphs = new LinkedHashMap<>();
    private final Map<String, AtomicLong> framesPerRoute = new LinkedHashMap<>();
    private final AtomicLong modelNanos = new AtomicLong();
    private final AtomicLong classifyNanos = new AtomicLong();
    private final java.util.function.Consumer<RouteDecision> routeListener;

    private RestoreEngine(Builder b) throws IOException {
        this.bundle = ModelBundle.load(b.modelDir);
        this.task = b.task;
        this.maxBatch = b.maxBatch;
        this.tiler = new Tiler(b.tileSize, b.tileOverlap);
        this.coarseSide = b.coarseSide;
        this.coarseGuard = b.coarseGuard;
        this.coarseGuardGap = b.coarseGuardGap;
        this.smoother = new RouteSmoother(b.smoothing, b.switchMargin, b.holdFrames);
        this.routeListener = b.routeListener;
        if (task != Task.AUTO && !bundle.degradations().contains(task.id())) {
            throw new IllegalArgumentException("model " + bundle.name() + " cannot " + task.id() + "; it knows " + bundle.degradations());
        }
        GpuOptions gpu = null;
        if (!"cpu".equals(b.device)) {
            gpu = b.gpu;
            if ("tensorrt".equals(b.device)) {
                gpu = GpuOptions.builder().optProvider(GpuOptions.Provider.TENSORRT).optPrecision(gpu.fp16() ? "fp16" : "fp32")
                        .optCacheDir(gpu.cacheDir()).optDeviceId(gpu.deviceId()).build();
            }
            // before any graph: say which piece is missing instead of ONNX Runtime's native error
            GpuSupport.system().require(gpu);
        }
        // TensorRT builds one engine per shape range: crops for the classifier, up to a tile for the rest
        this.classifier = task == Task.AUTO
                ? new Classifier(new OnnxGraph(bundle.graph("classifier"), gpu, b.threads,
                        new OnnxGraph.ShapeProfile(4, MIN_SIDE, Classifier.CROP, Classifier.CROP)), bundle.degradations().size())
                : null;
        OnnxGraph.ShapeProfile tiles = new OnnxGraph.ShapeProfile(b.maxBatch, MIN_SIDE, b.tileSize, b.tileSize);
        for (String d : bundle.degradations()) {
            if (task == Task.AUTO || task.id().equals(d)) {
                graphs.put(d, new OnnxGraph(bundle.graph(d), gpu, b.threads, tiles));
            }
            framesPerRoute.put(d, new AtomicLong());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The route for a frame: the forced task, or the classifier's decision, smoothed over time for
     * video. Images (frames with a file name) are independent of each other: no smoothing.
     */
    @Override
    public String route(Frame f) {
        requireMinSide(f);
        if (task != Task.AUTO) {
            if (routeListener != null) {
                routeListener.accept(new RouteDecision(f.streamId(), f.seq(), task.id(), Double.NaN));
            }
            return task.id();
        }
        long t0 = System.nanoTime();
        float[] p = classifier.probabilities(f);
        classifyNanos.addAndGet(System.nanoTime() - t0);
        int k = f.name() != null ? RouteSmoother.argmax(p) : smoother.update(f.streamId(), p);
        String route = bundle.degradations().get(k);
        if (routeListener != null) {
            routeListener.accept(new RouteDecision(f.streamId(), f.seq(), route, p[k]));
        }
        return route;
    }

    /** Restores frames that share route and size; returns them in the same order. */
    @Override
    public List<Frame> restore(String route, List<Frame> frames) {
        if (frames.isEmpty()) {
            return frames;
        }
        OnnxGraph g = Objects.requireNonNull(graphs.get(route), () -> "no graph loaded for route " + route);
        requireMinSide(frames.get(0));
        int w = frames.get(0).width();
        int h = frames.get(0).height();
        long t0 = System.nanoTime();
        int f = DEHAZE.equals(route) ? CoarseDehaze.factor(w, h, coarseSide) : 1;
        List<Frame> out;
        if (f == 1) {
            out = run(g, route, frames, w, h);
        } else {
            int cw = CoarseDehaze.coarse(w, f);
            int ch = CoarseDehaze.coarse(h, f);
            List<Frame> small = new ArrayList<>(frames.size());
            for (Frame fr : frames) {
                small.add(new Frame(fr.streamId(), fr.seq(), fr.ptsMicros(), cw, ch, CoarseDehaze.downscale(fr.rgb(), w, h, f),
                        fr.route(), fr.name()));
            }
            List<Frame> restoredSmall = run(g, route, small, cw, ch);
            // the guard (optional): the network once more, at native resolution on each frame's central square
            int n = CoarseDehaze.guardSide(w, h, coarseSide);
            List<Frame> nativeSquares = null;
            if (coarseGuard) {
                List<Frame> squares = new ArrayList<>(frames.size());
                for (Frame fr : frames) {
                    squares.add(new Frame(fr.streamId(), fr.seq(), fr.ptsMicros(), n, n, CoarseDehaze.centralSquare(fr.rgb(), w, h, n),
                            fr.route(), fr.name()));
                }
                nativeSquares = run(g, route, squares, n, n);
            }
            out = new ArrayList<>(frames.size());
            for (int i = 0; i < frames.size(); i++) {
                Frame fr = frames.get(i);
                float[] viaCopy = CoarseDehaze.transfer(small.get(i).rgb(), restoredSmall.get(i).rgb(), fr.rgb(), w, h, f);
                float[] px = nativeSquares == null ? viaCopy : CoarseDehaze.guard(viaCopy, w, h, nativeSquares.get(i).rgb(), n, coarseGuardGap);
                out.add(fr.withPixels(px).withRoute(route));
            }
        }
        modelNanos.addAndGet(System.nanoTime() - t0);
        framesPerRoute.get(route).addAndGet(frames.size());
        return out;
    }

    /** Frames of one size through graph g: in batches, or tile by tile when larger than a tile. */
    private List<Frame> run(OnnxGraph g, String route, List<Frame> frames, int w, int h) {
        List<Frame> out = new ArrayList<>(frames.size());
        if (!tiler.needsTiling(w, h)) {
            for (int start = 0; start < frames.size(); start += maxBatch) {
                List<Frame> chunk = frames.subList(start, Math.min(frames.size(), start + maxBatch));
                int plane = 3 * w * h;
                float[] batch = new float[chunk.size() * plane];
                for (int i = 0; i < chunk.size(); i++) {
                    System.arraycopy(chunk.get(i).rgb(), 0, batch, i * plane, plane);
                }
                float[] y = g.run(batch, chunk.size(), 3, h, w).data();
                for (int i = 0; i < chunk.size(); i++) {
                    float[] px = new float[plane];
                    System.arraycopy(y, i * plane, px, 0, plane);
                    out.add(chunk.get(i).withPixels(clamp(px)).withRoute(route));
                }
            }
        } else {
            for (Frame f : frames) {
                out.add(f.withPixels(clamp(restoreTiled(g, f.rgb(), w, h))).withRoute(route));
            }
        }
        return out;
    }

    /** @throws IllegalArgumentException for frames smaller than {@link #MIN_SIDE} in either side */
    public static void requireMinSide(Frame f) {
        if (f.width() < MIN_SIDE || f.height() < MIN_SIDE) {
            throw new IllegalArgumentException((f.name() != null ? "image '" + f.name() + "'" : "frame " + f.seq() + " of " + f.streamId())
                    + " is " + f.width() + "x" + f.height() + ": the model needs at least " + MIN_SIDE + "x" + MIN_SIDE
                    + " pixels; upscale the input first");
        }
    }

    private float[] restoreTiled(OnnxGraph g, float[] rgb, int w, int h) {
        Tiler.Tiles tiles = tiler.split(rgb, w, h);
        int n = tiles.origins().size();
        int plane = 3 * tiles.tileW() * tiles.tileH();
        float[] restored = new float[n * plane];
        for (int start = 0; start < n; start += maxBatch) {
            int m = Math.min(maxBatch, n - start);
            float[] part = new float[m * plane];
            System.arraycopy(tiles.data(), start * plane, part, 0, m * plane);
            float[] y = g.run(part, m, 3, tiles.tileH(), tiles.tileW()).data();
            System.arraycopy(y, 0, restored, start * plane, m * plane);
        }
        return tiler.merge(tiles, restored, w, h);
    }

    private static float[] clamp(float[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = v[i] < 0 ? 0 : (v[i] > 1 ? 1 : v[i]);
        }
        return v;
    }

    @Override
    public void forgetStream(String streamId) {
        smoother.forget(streamId);
    }

    public ModelBundle model() {
        return bundle;
    }

    public Task task() {
        return task;
    }

    /** Frames restored per degradation, in the model's order. */
    public Map<String, Long> framesPerRoute() {
        Map<String, Long> m = new LinkedHashMap<>();
        framesPerRoute.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    public long modelNanos() {
        return modelNanos.get();
    }

    public long classifyNanos() {
        return classifyNanos.get();
    }

    @Override
    public void close() {
        if (classifier != null) {
            classifier.close();
        }
        graphs.values().forEach(OnnxGraph::close);
    }

    /** Engine settings: {@code set*} required, {@code opt*} optional with the documented default. */
    public static final class Builder {
        private Path modelDir;
        private Task task = Task.AUTO;
        private String device = "cpu";
        private GpuOptions gpu = GpuOptions.DEFAULT;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int maxBatch = 4;
        private int tileSize = 512;
        private int tileOverlap = 32;
        private int coarseSide = CoarseDehaze.DEFAULT_SIDE;
        private boolean coarseGuard = false;
        private double coarseGuardGap = CoarseDehaze.GUARD_GAP;
        private double smoothing = 0.6;
        private double switchMargin = 0.1;
        private int holdFrames = 3;
        private java.util.function.Consumer<RouteDecision> routeListener;

        /** Folder with the model manifest, graphs and model card (required). */
        public Builder setModelDir(Path dir) {
            this.modelDir = dir;
            return this;
        }

        public Builder optTask(Task t) {
            this.task = Objects.requireNonNull(t);
            return this;
        }

        /** cpu (default), gpu (CUDA) or tensorrt. */
        public Builder optDevice(String d) {
            if (!List.of("cpu", "gpu", "tensorrt").contains(d)) {
                throw new IllegalArgumentException("device must be cpu, gpu or tensorrt, not '" + d + "'");
            }
            this.device = d;
            return this;
        }

        /** Provider, precision, engine cache and GPU index for device gpu (default {@link GpuOptions#DEFAULT}: TensorRT, FP16). */
        public Builder optGpu(GpuOptions g) {
            this.gpu = Objects.requireNonNull(g);
            return this;
        }

        /** ONNX Runtime intra-op threads (default: all cores). */
        public Builder optThreads(int n) {
            this.threads = n;
            return this;
        }

        /** Frames (or tiles) per forward pass (default 4). */
        public Builder optMaxBatch(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("max batch must be >= 1");
            }
            this.maxBatch = n;
            return this;
        }

        /** Frames larger than this in either side are tiled (default 512, overlap 32). */
        public Builder optTiling(int tile, int overlap) {
            this.tileSize = tile;
            this.tileOverlap = overlap;
            return this;
        }

        /**
         * Frames routed to dehaze are dehazed through a frame about this long, then carried back
         * to full size ({@link CoarseDehaze}; default 256; 0 = at full size).
         */
        public Builder optCoarseSide(int side) {
            if (side != 0 && side < 64) {
                throw new IllegalArgumentException("coarse side must be 0 (off) or at least 64, not " + side);
            }
            this.coarseSide = side;
            return this;
        }

        /**
         * With a coarse side: also run the network on each hazy frame's central square at native
         * resolution and correct a copy that came out much darker there ({@link CoarseDehaze#guard};
         * default off: it helps flat footage seen from above and costs noisy photos).
         */
        public Builder optCoarseGuard(boolean on) {
            this.coarseGuard = on;
            return this;
        }

        /**
         * The guard's gap: how much darker in mean luma the copy's result must be than the native
         * run's before the guard corrects it (fully from twice this; default {@link CoarseDehaze#GUARD_GAP}).
         */
        public Builder optCoarseGuardGap(double gap) {
            if (!(gap > 0 && gap <= 0.5)) {
                throw new IllegalArgumentException("coarse guard gap must be in (0, 0.5], not " + gap);
            }
            this.coarseGuardGap = gap;
            return this;
        }

        /** Route hysteresis: EMA smoothing, switch margin and frames to hold (default 0.6, 0.1, 3). */
        public Builder optRouteHysteresis(double smoothing, double margin, int hold) {
            this.smoothing = smoothing;
            this.switchMargin = margin;
            this.holdFrames = hold;
            return this;
        }

        /**
         * Told how every frame was routed and how sure the classifier was (default: nobody). Called
         * on the thread that calls {@link #route}; it must be quick and must not throw.
         */
        public Builder optRouteListener(java.util.function.Consumer<RouteDecision> listener) {
            this.routeListener = listener;
            return this;
        }

        public RestoreEngine build() throws IOException {
            if (modelDir == null) {
                throw new IllegalStateException("setModelDir is required");
            }
            new Tiler(tileSize, tileOverlap); // validates now, with a clear message
            return new RestoreEngine(this);
        }
    }
}
