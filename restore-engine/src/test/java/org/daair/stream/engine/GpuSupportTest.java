package org.daair.stream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link GpuSupport} says on machines missing one piece after another, built as folder trees
 * (a fake root with /proc/driver/nvidia and library folders), and the TensorRT cache key.
 */
class GpuSupportTest {

    private static final GpuOptions TRT = GpuOptions.DEFAULT;
    private static final GpuOptions CUDA = GpuOptions.builder().optProvider(GpuOptions.Provider.CUDA).build();

    private static void touch(Path dir, String... names) throws Exception {
        Files.createDirectories(dir);
        for (String n : names) {
            Files.writeString(dir.resolve(n), "");
        }
    }

    private static GpuSupport at(Path root, Set<String> providers) {
        return new GpuSupport(root, GpuSupport.systemLibraryDirs(root, null), () -> providers);
    }

    @Test
    void namesTheFirstMissingPieceInInstallOrder(@TempDir Path root) throws Exception {
        Set<String> cpuOnly = Set.of("CPU");
        Optional<String> p = at(root, cpuOnly).diagnose(TRT);
        assertTrue(p.orElseThrow().contains("no NVIDIA driver"), p.toString());
        assertTrue(p.get().endsWith("(or use --device cpu)"), p.get());

        touch(root.resolve("proc/driver/nvidia"), "version");
        p = at(root, cpuOnly).diagnose(TRT);
        assertTrue(p.orElseThrow().contains("CUDA 12 runtime is missing (libcudart.so.12, libcublas.so.12, libcublasLt.so.12"), p.get());

        Path cuda = root.resolve("usr/local/cuda/lib64");
        touch(cuda, "libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12");
        p = at(root, cpuOnly).diagnose(TRT);
        assertTrue(p.orElseThrow().contains("cuDNN 9 is missing"), p.get());

        // cuDNN in a folder named by ld.so.conf.d, as Debian's packages do
        touch(root.resolve("opt/cudnn/lib"), "libcudnn.so.9");
        Files.createDirectories(root.resolve("etc/ld.so.conf.d"));
        Files.writeString(root.resolve("etc/ld.so.conf.d/cudnn.conf"), "# cuDNN\n/opt/cudnn/lib\n");
        p = at(root, cpuOnly).diagnose(TRT);
        assertTrue(p.orElseThrow().contains("TensorRT 10 is missing") && p.get().contains("--engine cuda"), p.get());
        // the CUDA engine needs no TensorRT: next is the ONNX Runtime build
        p = at(root, cpuOnly).diagnose(CUDA);
        assertTrue(p.orElseThrow().contains("CPU-only ONNX Runtime") && p.get().contains("-Pgpu"), p.get());

        touch(root.resolve("usr/lib/x86_64-linux-gnu"), "libnvinfer.so.10", "libnvinfer.so.10.7.0", "libnvinfer_plugin.so.10",
                "libnvonnxparser.so.10");
        p = at(root, cpuOnly).diagnose(TRT);
        assertTrue(p.orElseThrow().contains("CPU-only ONNX Runtime"), p.get());
        assertEquals(Optional.empty(), at(root, Set.of("CPU", "CUDA", "TENSOR_RT")).diagnose(TRT));
        assertEquals(Optional.empty(), at(root, Set.of("CPU", "CUDA")).diagnose(CUDA));
        assertTrue(at(root, Set.of("CPU", "CUDA")).diagnose(TRT).orElseThrow().contains("CPU-only"),
                "a CUDA-only ONNX Runtime cannot run the TensorRT engine");

        assertEquals("10.7.0", at(root, cpuOnly).tensorRtVersion());
    }

    @Test
    void readsTheGpuNameFromTheDriver(@TempDir Path root) throws Exception {
        assertEquals("unknown-gpu", at(root, Set.of()).gpuName(0));
        Path gpu = root.resolve("proc/driver/nvidia/gpus/0000:1b:00.0");
        Files.createDirectories(gpu);
        Files.writeString(gpu.resolve("information"), "Model: \t\t NVIDIA H100 80GB HBM3\nIRQ: 123\n");
        assertEquals("NVIDIA H100 80GB HBM3", at(root, Set.of()).gpuName(0));
        assertEquals("unknown-gpu", at(root, Set.of()).gpuName(1));
    }

    @Test
    void tensorRtCacheFolderChangesWithEveryPartOfItsKey(@TempDir Path tmp) throws Exception {
        Path a = Files.writeString(tmp.resolve("a.onnx"), "graph a");
        Path b = Files.writeString(tmp.resolve("b.onnx"), "graph b");
        Path root = tmp.resolve("cache");
        Path base = TensorRtCache.folder(root, a, true, "10.7.0", "NVIDIA H100 80GB HBM3");
        assertEquals(root, base.getParent());
        assertTrue(base.getFileName().toString().matches("[0-9a-f]{16}-fp16-trt10\\.7\\.0-NVIDIA_H100_80GB_HBM3"), base.toString());
        for (Path other : List.of(TensorRtCache.folder(root, b, true, "10.7.0", "NVIDIA H100 80GB HBM3"),
                TensorRtCache.folder(root, a, false, "10.7.0", "NVIDIA H100 80GB HBM3"),
                TensorRtCache.folder(root, a, true, "10.8.0", "NVIDIA H100 80GB HBM3"),
                TensorRtCache.folder(root, a, true, "10.7.0", "NVIDIA L4"))) {
            assertTrue(!other.equals(base), other + " vs " + base);
        }
        assertEquals(base, TensorRtCache.folder(root, a, true, "10.7.0", "NVIDIA H100 80GB HBM3"), "same key, same folder");
    }

    @Test
    void thisMachineIsDiagnosedWithoutLoadingAnyGraph() {
        // on a machine without a GPU (CI), the answer is a one-line reason, not an exception
        Optional<String> p = GpuSupport.system().diagnose(TRT);
        if (!Files.exists(Path.of("/proc/driver/nvidia/version"))) {
            assertTrue(p.orElseThrow().contains("NVIDIA driver"), p.toString());
            assertTrue(p.get().lines().count() == 1);
        }
    }
}
