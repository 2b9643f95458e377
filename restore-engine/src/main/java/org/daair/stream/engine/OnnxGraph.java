package org.daair.stream.engine;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One ONNX graph run through DJL's ONNX Runtime engine. Input "input" N x C x H x W float32; one
 * output. Not thread-safe (a DJL predictor is not): one instance per worker thread.
 */
public final class OnnxGraph implements AutoCloseable {

    /** Result of a forward pass: the output floats and their shape. */
    public record Output(float[] data, long[] shape) {
    }

    /**
     * The input shapes a TensorRT engine is built for (min, opt, max of N x 3 x H x W), as
     * TensorRT's profile strings ("input:1x3x8x8").
     */
    public record ShapeProfile(int maxBatch, int minSide, int optSide, int maxSide) {
        String min() {
            return "input:1x3x" + minSide + "x" + minSide;
        }

        String opt() {
            return "input:" + maxBatch + "x3x" + optSide + "x" + optSide;
        }

        String max() {
            return "input:" + maxBatch + "x3x" + maxSide + "x" + maxSide;
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OnnxGraph.class);

    private final Model model;
    private final Predictor<NDList, NDList> predictor;
    private final Path path;

    /** A graph on the CPU ("cpu"), or on GPU 0 with default {@link GpuOptions} ("gpu", "tensorrt"). */
    public OnnxGraph(Path path, String device, int threads) throws IOException {
        this(path, "cpu".equals(device) ? null
                : GpuOptions.builder().optProvider("tensorrt".equals(device) ? GpuOptions.Provider.TENSORRT : GpuOptions.Provider.CUDA).build(),
                threads, null);
    }

    /**
     * @param gpu     null for the CPU
     * @param profile the shapes TensorRT builds engines for (null: TensorRT's default, built per shape seen)
     */
    public OnnxGraph(Path path, GpuOptions gpu, int threads, ShapeProfile profile) throws IOException {
        EngineProperties.ensureOffline();
        this.path = path;
        if (gpu == null) {
            this.model = loadCpu(path, threads);
        } else {
            Model m;
            try {
                m = loadGpu(path, gpu, threads, profile);
            } catch (IOException e) {
                if (gpu.provider() != GpuOptions.Provider.TENSORRT || !gpu.fp16()) {
                    throw e;
                }
                // some layers or GPUs have no FP16 TensorRT kernels: build the engine in FP32 instead
                LOG.warn("{}: no FP16 TensorRT engine ({}); building it in FP32", path.getFileName(), e.getMessage());
                m = loadGpu(path, gpu.fp32(), threads, profile);
            }
            this.model = m;
        }
        this.predictor = model.newPredictor(new NoopTranslator());
    }

    private static Model loadCpu(Path path, int threads) throws IOException {
        Criteria.Builder<NDList, NDList> b = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(path)
                .optEngine("OnnxRuntime")
                .optTranslator(new NoopTranslator())
                .optOption("interOpNumThreads", "1")
                .optOption("intraOpNumThreads", Integer.toString(Math.max(1, threads)))
                .optDevice(Device.cpu());
        try {
            ZooModel<NDList, NDList> zoo = b.build().loadModel();
            return zoo;
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new IOException("cannot load " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * The session options are built here rather than through DJL's string options, which cannot
     * carry TensorRT's provider options (precision, engine cache, shape profiles). DJL then adds
     * the CUDA provider after TensorRT, for the nodes TensorRT does not take.
     */
    private static Model loadGpu(Path path, GpuOptions gpu, int threads, ShapeProfile profile) throws IOException {
        Model m = Model.newInstance(path.getFileName().toString(), Device.gpu(gpu.deviceId()), "OnnxRuntime");
        try {
            ai.onnxruntime.OrtSession.SessionOptions so = new ai.onnxruntime.OrtSession.SessionOptions();
            so.setInterOpNumThreads(1);
            so.setIntraOpNumThreads(Math.max(1, threads));
            if (gpu.provider() == GpuOptions.Provider.TENSORRT) {
                GpuSupport here = GpuSupport.system();
                Path cache = TensorRtCache.folder(gpu.cacheDir(), path, gpu.fp16(), here.tensorRtVersion(), here.gpuName(gpu.deviceId()));
                java.nio.file.Files.createDirectories(cache);
                ai.onnxruntime.providers.OrtTensorRTProviderOptions trt = new ai.onnxruntime.providers.OrtTensorRTProviderOptions(gpu.deviceId());
                trt.add("trt_fp16_enable", gpu.fp16() ? "1" : "0");
                trt.add("trt_engine_cache_enable", "1");
                trt.add("trt_engine_cache_path", cache.toString());
                trt.add("trt_timing_cache_enable", "1");
                trt.add("trt_timing_cache_path", cache.toString());
                if (profile != null) {
                    trt.add("trt_profile_min_shapes", profile.min());
                    trt.add("trt_profile_opt_shapes", profile.opt());
                    trt.add("trt_profile_max_shapes", profile.max());
                }
                so.addTensorrt(trt);
                LOG.info("{}: TensorRT {} engine cache in {}", path.getFileName(), gpu.fp16() ? "FP16" : "FP32", cache);
            }
            m.load(path, path.getFileName().toString(), java.util.Map.of("sessionOptions", so));
            return m;
        } catch (ai.onnxruntime.OrtException | MalformedModelException | RuntimeException e) {
            m.close();
            throw new IOException("cannot load " + path.getFileName() + " with " + gpu + ": " + e.getMessage(), e);
        }
    }

    public Output run(float[] input, long n, long c, long h, long w) {
        try (NDManager mgr = model.getNDManager().newSubManager()) {
            NDArray x = mgr.create(input, new Shape(n, c, h, w));
            NDList out = predictor.predict(new NDList(x));
            NDArray y = out.get(0);
            return new Output(y.toFloatArray(), y.getShape().getShape());
        } catch (TranslateException e) {
            throw new IllegalStateException("inference failed on " + path.getFileName() + " for input " + n + "x" + c + "x" + h + "x" + w
                    + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
    }
}
