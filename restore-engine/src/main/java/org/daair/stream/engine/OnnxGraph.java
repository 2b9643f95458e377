package org.daair.stream.engine;

import ai.djl.Device;
import ai.djl.MalformedModelException;
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

    private final ZooModel<NDList, NDList> model;
    private final Predictor<NDList, NDList> predictor;
    private final Path path;

    public OnnxGraph(Path path, String device, int threads) throws IOException {
        EngineProperties.ensureOffline();
        this.path = path;
        Criteria.Builder<NDList, NDList> b = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(path)
                .optEngine("OnnxRuntime")
                .optTranslator(new NoopTranslator())
                .optOption("interOpNumThreads", "1")
                .optOption("intraOpNumThreads", Integer.toString(Math.max(1, threads)));
        if ("gpu".equals(device)) {
            b.optDevice(Device.gpu());
        } else if ("tensorrt".equals(device)) {
            b.optDevice(Device.gpu()).optOption("ortDevice", "TensorRT");
        } else {
            b.optDevice(Device.cpu());
        }
        try {
            this.model = b.build().loadModel();
        } catch (ModelNotFoundException | MalformedModelException e) {
            if (!"cpu".equals(device)) {
                throw new IOException("cannot load " + path.getFileName() + " on device '" + device + "': this ONNX Runtime has no "
                        + ("tensorrt".equals(device) ? "TensorRT" : "CUDA") + " support or no NVIDIA GPU is visible (use --device cpu)", e);
            }
            throw new IOException("cannot load " + path + ": " + e.getMessage(), e);
        }
        this.predictor = model.newPredictor();
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
