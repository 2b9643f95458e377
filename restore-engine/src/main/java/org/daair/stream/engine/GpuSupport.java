package org.daair.stream.engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Checks, before any graph is loaded, that a GPU engine can run here, and says in one line what
 * is missing: the NVIDIA driver, the CUDA 12 runtime, cuDNN 9, TensorRT 10 (for the TensorRT
 * provider), or a GPU build of ONNX Runtime. ONNX Runtime's own failure is a native stack trace
 * about a library it could not open; this names the piece and what to install.
 *
 * <p>Libraries are looked for where the dynamic loader finds them: LD_LIBRARY_PATH, the folders
 * of /etc/ld.so.conf.d, the usual system and CUDA folders, and the NVIDIA container runtime's.
 */
public final class GpuSupport {

    /** A GPU engine cannot run here; the message says what is missing and what to do. */
    public static final class UnavailableException extends IOException {
        private static final long serialVersionUID = 1L;

        UnavailableException(String message) {
            super(message);
        }
    }

    private final Path root;
    private final List<Path> libraryDirs;
    private final Supplier<Set<String>> ortProviders;

    GpuSupport(Path root, List<Path> libraryDirs, Supplier<Set<String>> ortProviders) {
        this.root = root;
        this.libraryDirs = libraryDirs;
        this.ortProviders = ortProviders;
    }

    /** This machine, as the dynamic loader and ONNX Runtime see it. */
    public static GpuSupport system() {
        return new GpuSupport(Path.of("/"), systemLibraryDirs(Path.of("/"), System.getenv("LD_LIBRARY_PATH")), GpuSupport::ortProviders);
    }

    /** Throws {@link UnavailableException} when {@code options} cannot run here. */
    public void require(GpuOptions options) throws UnavailableException {
        Optional<String> problem = diagnose(options);
        if (problem.isPresent()) {
            throw new UnavailableException(problem.get());
        }
    }

    /** The first missing piece, in the order they are installed, or empty when everything is there. */
    public Optional<String> diagnose(GpuOptions options) {
        String use = " (or use --device cpu)";
        if (!Files.exists(root.resolve("proc/driver/nvidia/version")) && find("libcuda.so.1").isEmpty()) {
            return Optional.of("--device gpu: no NVIDIA driver here (no /proc/driver/nvidia/version, no libcuda.so.1): install the"
                    + " NVIDIA driver, and in Docker run with --gpus all and the NVIDIA Container Toolkit" + use);
        }
        List<String> cuda = missing("libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12");
        if (!cuda.isEmpty()) {
            return Optional.of("--device gpu: the CUDA 12 runtime is missing (" + String.join(", ", cuda) + " not found in "
                    + describeDirs() + "): install CUDA 12 (cuda-runtime and libcublas), or add its lib64 folder to LD_LIBRARY_PATH" + use);
        }
        List<String> cudnn = missing("libcudnn.so.9");
        if (!cudnn.isEmpty()) {
            return Optional.of("--device gpu: cuDNN 9 is missing (libcudnn.so.9 not found in " + describeDirs()
                    + "): install cuDNN 9 for CUDA 12 (libcudnn9-cuda-12)" + use);
        }
        if (options.provider() == GpuOptions.Provider.TENSORRT) {
            List<String> trt = missing("libnvinfer.so.10", "libnvinfer_plugin.so.10", "libnvonnxparser.so.10");
            if (!trt.isEmpty()) {
                return Optional.of("--engine tensorrt: TensorRT 10 is missing (" + String.join(", ", trt) + " not found in "
                        + describeDirs() + "): install TensorRT 10 (libnvinfer10, libnvinfer-plugin10, libnvonnxparsers10),"
                        + " or run with --engine cuda" + use);
            }
        }
        Set<String> providers = ortProviders.get();
        String wanted = options.provider() == GpuOptions.Provider.TENSORRT ? "TENSOR_RT" : "CUDA";
        if (!providers.contains(wanted)) {
            return Optional.of("--device gpu: this build has the CPU-only ONNX Runtime (providers " + providers
                    + "): build with 'mvn -Pgpu -DskipTests install' (onnxruntime_gpu), or use the GPU container image" + use);
        }
        return Optional.empty();
    }

    /** The TensorRT version of the libnvinfer found (e.g. "10.7.0"), or "unknown". */
    public String tensorRtVersion() {
        for (Path dir : libraryDirs) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "libnvinfer.so.10*")) {
                String best = null;
                for (Path p : ds) {
                    String v = p.getFileName().toString().substring("libnvinfer.so.".length());
                    if (best == null || v.length() > best.length()) {
                        best = v; // the most specific name is the real file (libnvinfer.so.10.7.0)
                    }
                }
                if (best != null) {
                    return best;
                }
            } catch (IOException ignored) {
                // a folder that cannot be read holds nothing for us
            }
        }
        return "unknown";
    }

    /** The name of GPU {@code index} as the driver reports it, or "unknown-gpu". */
    public String gpuName(int index) {
        Path gpus = root.resolve("proc/driver/nvidia/gpus");
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(gpus)) {
            ds.forEach(found::add);
        } catch (IOException e) {
            return "unknown-gpu";
        }
        found.sort(null); // bus ids sort in the driver's index order
        if (index >= found.size()) {
            return "unknown-gpu";
        }
        try {
            for (String line : Files.readAllLines(found.get(index).resolve("information"))) {
                if (line.startsWith("Model:")) {
                    return line.substring("Model:".length()).trim();
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "unknown-gpu";
    }

    private List<String> missing(String... libs) {
        List<String> out = new ArrayList<>();
        for (String lib : libs) {
            if (find(lib).isEmpty()) {
                out.add(lib);
            }
        }
        return out;
    }

    private Optional<Path> find(String lib) {
        for (Path dir : libraryDirs) {
            Path p = dir.resolve(lib);
            if (Files.exists(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private String describeDirs() {
        return libraryDirs.size() <= 3 ? libraryDirs.toString() : libraryDirs.size() + " library folders (LD_LIBRARY_PATH, ld.so.conf, CUDA)";
    }

    static List<Path> systemLibraryDirs(Path root, String ldLibraryPath) {
        Set<Path> dirs = new LinkedHashSet<>();
        if (ldLibraryPath != null) {
            for (String d : ldLibraryPath.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        Path conf = root.resolve("etc/ld.so.conf.d");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(conf, "*.conf")) {
            for (Path f : ds) {
                for (String line : Files.readAllLines(f)) {
                    String l = line.strip();
                    if (l.startsWith("/")) {
                        dirs.add(root.resolve(l.substring(1)));
                    }
                }
            }
        } catch (IOException ignored) {
            // no ld.so.conf.d: the standard folders below
        }
        for (String d : List.of("usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu", "usr/lib64", "usr/lib", "usr/local/cuda/lib64",
                "usr/local/cuda/targets/x86_64-linux/lib", "usr/local/nvidia/lib64", "usr/lib/wsl/lib")) {
            dirs.add(root.resolve(d));
        }
        return List.copyOf(dirs);
    }

    private static Set<String> ortProviders() {
        Set<String> names = new LinkedHashSet<>();
        try {
            ai.onnxruntime.OrtEnvironment.getAvailableProviders().forEach(p -> names.add(p.name()));
        } catch (RuntimeException | LinkageError e) {
            names.add("none: " + e.getMessage());
        }
        return names;
    }
}
