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
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
 * Decode-step products {@code y[1, N] = x[1, K]·Ŵᵀ} with NF4 (double-quantized) and LLM.int8 weights far larger than
 * the L3 cache (16384 × 8192: 69 MB in NF4, 134 MB in INT8), against the machine's DRAM read bandwidth measured in
 * the same run with the same number of threads ({@code dramRead}: a vector sum over 1 GiB). The secondary result
 * {@code gbytes} is GB/s of bytes actually stored (codes, scales and tables; {@code dramRead}: bytes summed); the
 * GEMV's fraction of the DRAM bandwidth is the ratio of the two {@code gbytes} at the same {@code threads}.
 *
 * <pre>
 * ./mvnw -q -o -pl bench -am package -DskipTests
 * java -cp bench/target/benchmarks.jar org.openjdk.jmh.Main QuantGemvBenchmark
 * </pre>
 *
 * <p>{@code format=bf16} runs the dense BF16 GEMV over the same weights, for reference.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx2g"})
public class QuantGemvBenchmark {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final long DRAM_BYTES = 1L << 30;

    @Param({"nf4", "int8", "bf16"})
    public String format;

    @Param({"1", "2"})
    public int threads;

    /** {@code NxK} of the weight. */
    @Param({"16384x8192"})
    public String shape;

    private RootAllocator allocator;
    private HostTensor dense;
    private QuantizedTensor quantized;
    private Backend backend;
    private Tensor x;
    private Tensor w;
    private Tensor y;
    private double weightGigabytes;

    private Arena arena;
    private MemorySegment dram;
    private ExecutorService helpers;

    /** Bytes read, reported per second. */
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
        allocator = new RootAllocator();
        dense = HostTensor.allocate(allocator, DType.BF16, Shape.of(n, k));
        IntStream.range(0, n).parallel().forEach(r -> {
            SplittableRandom random = new SplittableRandom(r);
            for (int c = 0; c < k; c++) {
                dense.setFloat((long) r * k + c, (float) (random.nextGaussian() * 0.02));
            }
        });
        backend = new CpuBackendProvider().create(new BackendOptions(threads, 0));
        switch (format) {
            case "nf4" -> quantized = new Nf4QuantizerProvider().quantize(dense, QuantOptions.nf4(true), allocator);
            case "int8" -> quantized = new Int8QuantizerProvider().quantize(dense, QuantOptions.int8(6f), allocator);
            case "bf16" -> quantized = null;
            default -> throw new IllegalArgumentException(format);
        }
        w = quantized != null ? backend.upload(quantized) : backend.upload(dense);
        weightGigabytes = (quantized != null ? quantized.storageBytes() : dense.byteSize()) / 1e9;
        float[] xv = new float[k];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < k; i++) {
            xv[i] = (float) random.nextGaussian();
        }
        x = backend.fromFloats(Shape.of(1, k), xv);
        y = backend.allocate(DType.F32, Shape.of(1, n));
        System.out.printf("%n%s %s: %.1f MB stored, %.3f bits/weight%n", format, shape, weightGigabytes * 1e3,
                weightGigabytes * 8e9 / ((double) n * k));

        arena = Arena.ofShared();
        dram = arena.allocate(DRAM_BYTES, 4096);
        dram.fill((byte) 1);
        helpers = Executors.newFixedThreadPool(Math.max(1, threads - 1));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        helpers.shutdown();
        helpers.awaitTermination(1, TimeUnit.MINUTES);
        backend.close();
        arena.close();
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

    /** The yardstick: a vector float sum over 1 GiB, split over {@code threads} threads. */
    @Benchmark
    public float dramRead(Bytes bytes) throws Exception {
        @SuppressWarnings("unchecked")
        Future<Float>[] others = new Future[threads - 1];
        for (int t = 1; t < threads; t++) {
            long from = DRAM_BYTES * t / threads;
            long to = DRAM_BYTES * (t + 1) / threads;
            others[t - 1] = helpers.submit(() -> sum(dram, from, to));
        }
        float total = sum(dram, 0, DRAM_BYTES / threads);
        for (Future<Float> f : others) {
            total += f.get();
        }
        bytes.gbytes += DRAM_BYTES / 1e9;
        return total;
    }

    private static float sum(MemorySegment s, long from, long to) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        long step = 4L * F.vectorByteSize();
        for (long at = from; at + step <= to; at += step) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, s, at, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(F, s, at + F.vectorByteSize(), ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(F, s, at + 2L * F.vectorByteSize(), ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(F, s, at + 3L * F.vectorByteSize(), ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }
}
