package dev.ibex.bench;

import dev.ibex.backend.cpu.CpuBackendProvider;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.Arena;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decode-step matrix-vector product {@code y[1, N] = x[1, K]·Wᵀ} of Ibex's CPU backend with a weight far larger
 * than the L3 cache (8192 × 8192: 256 MB in F32, 128 MB in BF16/F16), so every call streams W from DRAM. The
 * secondary result {@code gbytes} is GB/s of weight bytes; compare it with {@link MemoryBandwidthBenchmark} at
 * the same thread count, in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx4g"})
public class GemvBenchmark {
    @Param({"F32", "BF16", "F16"})
    public String dtype;

    @Param({"1", "2"})
    public int threads;

    /** {@code NxK} of the weight. */
    @Param({"8192x8192"})
    public String shape;

    private Backend backend;
    private Arena arena;
    private Tensor x;
    private Tensor w;
    private Tensor y;
    private double weightGigabytes;

    /** Weight bytes read, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public double gbytes;
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("x");
        int n = Integer.parseInt(dims[0]);
        int k = Integer.parseInt(dims[1]);
        DType type = DType.valueOf(dtype);
        backend = new CpuBackendProvider().create(new BackendOptions(threads, 0));
        arena = Arena.ofShared();
        HostTensor host = HostTensor.view(type, Shape.of(n, k), arena.allocate((long) n * k * type.byteSize(), 64));
        Random random = new Random(7);
        for (long i = 0; i < host.numel(); i++) {
            host.setFloat(i, random.nextFloat() * 2 - 1);
        }
        w = backend.upload(host);
        float[] xv = new float[k];
        for (int i = 0; i < k; i++) {
            xv[i] = random.nextFloat() * 2 - 1;
        }
        x = backend.fromFloats(Shape.of(1, k), xv);
        y = backend.allocate(DType.F32, Shape.of(1, n));
        weightGigabytes = (double) host.byteSize() / 1e9;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
        arena.close();
    }

    @Benchmark
    public void gemv(Bytes bytes) {
        backend.linear(x, w, null, y, false);
        bytes.gbytes += weightGigabytes;
    }
}
