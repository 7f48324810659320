package dev.ibex.bench;

import dev.ibex.backend.cpu.CpuBackendProvider;
import dev.ibex.quant.int8.Int8QuantizerProvider;
import dev.ibex.quant.nf4.Nf4QuantizerProvider;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.quant.QuantOptions;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.arrow.memory.RootAllocator;
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
 * than the L3 cache (8192 × 8192: 268 MB in F32, 134 MB in BF16/F16, 67 MB in INT8, 35 MB in NF4 with double
 * quantization; GB = 10⁹ B), so every call streams W from DRAM (NF4 only just: the L3 is 32 MB). Dense weights are stored as given; {@code INT8} (LLM.int8,
 * threshold 6) and {@code NF4} are quantized from N(0, 0.02) BF16 weights by the real quantizer plugins and run
 * through the fused kernels. The secondary result {@code gbytes} is GB/s of the bytes actually stored (codes,
 * scales and tables included); compare it with {@link MemoryBandwidthBenchmark} at the same thread count, in the
 * same run ({@code Report gemv} does).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx4g"})
public class GemvBenchmark {
    @Param({"F32", "BF16", "F16", "INT8", "NF4"})
    public String dtype;

    @Param({"1", "2"})
    public int threads;

    /** {@code NxK} of the weight. */
    @Param({"8192x8192"})
    public String shape;

    private RootAllocator allocator;
    private HostTensor dense;
    private QuantizedTensor quantized;
    private Backend backend;
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
        boolean quantize = dtype.equals("INT8") || dtype.equals("NF4");
        allocator = new RootAllocator();
        dense = HostTensor.allocate(allocator, quantize ? DType.BF16 : DType.valueOf(dtype), Shape.of(n, k));
        IntStream.range(0, n).parallel().forEach(r -> {
            SplittableRandom random = new SplittableRandom(r);
            for (int c = 0; c < k; c++) {
                dense.setFloat((long) r * k + c, (float) (random.nextGaussian() * 0.02));
            }
        });
        backend = new CpuBackendProvider().create(new BackendOptions(threads, 0));
        quantized = switch (dtype) {
            case "NF4" -> new Nf4QuantizerProvider().quantize(dense, QuantOptions.nf4(true), allocator);
            case "INT8" -> new Int8QuantizerProvider().quantize(dense, QuantOptions.int8(6f), allocator);
            default -> null;
        };
        w = quantized != null ? backend.upload(quantized) : backend.upload(dense);
        weightGigabytes = (quantized != null ? quantized.storageBytes() : dense.byteSize()) / 1e9;
        float[] xv = new float[k];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < k; i++) {
            xv[i] = (float) random.nextGaussian();
        }
        x = backend.fromFloats(Shape.of(1, k), xv);
        y = backend.allocate(DType.F32, Shape.of(1, n));
        System.out.printf("%n%s %s: %.1f MB stored, %.3f bits/weight%n", dtype, shape, weightGigabytes * 1e3,
                weightGigabytes * 8e9 / ((double) n * k));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
        if (quantized != null) {
            quantized.close();
        }
        dense.close();
        allocator.close();
    }

    /** One decode-step product; {@code gbytes} counts the weight's stored bytes. */
    @Benchmark
    public void gemv(Bytes bytes) {
        backend.linear(x, w, null, y, false);
        bytes.gbytes += weightGigabytes;
    }
}
