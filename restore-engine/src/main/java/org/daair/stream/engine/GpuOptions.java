package org.daair.stream.engine;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * How the engine runs on an NVIDIA GPU: the ONNX Runtime execution provider (TensorRT, with CUDA
 * for the nodes TensorRT does not take, or CUDA alone), the precision TensorRT builds its engines
 * in (FP16 first, FP32 when an FP16 engine cannot be built), where built engines are cached, and
 * which GPU. Immutable; {@link #builder()}.
 */
public final class GpuOptions {

    /** The execution provider. */
    public enum Provider {
        TENSORRT, CUDA;

        public static Provider parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "tensorrt" -> TENSORRT;
                case "cuda" -> CUDA;
                default -> throw new IllegalArgumentException("engine must be tensorrt or cuda, not '" + s + "'");
            };
        }
    }

    public static final GpuOptions DEFAULT = builder().build();

    private final Provider provider;
    private final boolean fp16;
    private final Path cacheDir;
    private final int deviceId;

    private GpuOptions(Builder b) {
        this.provider = b.provider;
        this.fp16 = b.fp16;
        this.cacheDir = b.cacheDir;
        this.deviceId = b.deviceId;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Provider provider() {
        return provider;
    }

    public boolean fp16() {
        return fp16;
    }

    public Path cacheDir() {
        return cacheDir;
    }

    public int deviceId() {
        return deviceId;
    }

    /** The same options in FP32 (the fallback when an FP16 engine cannot be built). */
    public GpuOptions fp32() {
        return new Builder().optProvider(provider).optPrecision("fp32").optCacheDir(cacheDir).optDeviceId(deviceId).build();
    }

    @Override
    public String toString() {
        return provider.name().toLowerCase(Locale.ROOT) + (provider == Provider.TENSORRT ? (fp16 ? " fp16" : " fp32") : "")
                + " on GPU " + deviceId;
    }

    /** Builder: every option has a default ({@code opt*}). */
    public static final class Builder {
        private Provider provider = Provider.TENSORRT;
        private boolean fp16 = true;
        private Path cacheDir = Path.of(System.getProperty("user.home", "."), ".cache", "daair", "tensorrt");
        private int deviceId;

        private Builder() {
        }

        /** TensorRT (default) or CUDA. */
        public Builder optProvider(Provider p) {
            this.provider = Objects.requireNonNull(p);
            return this;
        }

        /** fp16 (default; FP32 when FP16 fails) or fp32. Applies to TensorRT. */
        public Builder optPrecision(String p) {
            switch (p.toLowerCase(Locale.ROOT)) {
                case "fp16" -> fp16 = true;
                case "fp32" -> fp16 = false;
                default -> throw new IllegalArgumentException("precision must be fp16 or fp32, not '" + p + "'");
            }
            return this;
        }

        /** Where TensorRT engines are kept between runs (default ~/.cache/daair/tensorrt). */
        public Builder optCacheDir(Path dir) {
            this.cacheDir = Objects.requireNonNull(dir);
            return this;
        }

        /** CUDA device index (default 0). */
        public Builder optDeviceId(int id) {
            if (id < 0) {
                throw new IllegalArgumentException("GPU index must be >= 0");
            }
            this.deviceId = id;
            return this;
        }

        public GpuOptions build() {
            return new GpuOptions(this);
        }
    }
}
