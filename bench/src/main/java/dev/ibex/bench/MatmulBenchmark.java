package dev.ibex.bench;

import dev.ibex.backend.cpu.CpuBackendProvider;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * F32 GEMM of Ibex's CPU backend against OpenBLAS {@code cblas_sgemm}, same operands, same thread count, same JMH
 * run. The three layouts of a linear layer {@code y = x·Wᵀ} ({@code x [M, K]}, {@code W [N, K]}):
 * {@code linear} ({@code x·Wᵀ}), {@code backwardInput} ({@code dx += dy·W}) and {@code backwardWeight}
 * ({@code dW += dyᵀ·x}), each {@code 2·M·N·K} FLOPs; the secondary result {@code gflop} is GFLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx8g"})
public class MatmulBenchmark {
    /** {@code MxKxN} of the linear layer: squares, and a LLaMA-1B-sized MLP projection over 512 tokens. */
    @Param({"1024x1024x1024", "2048x2048x2048", "512x2048x5632"})
    public String shape;

    @Param({"linear", "backwardInput", "backwardWeight"})
    public String layout;

    @Param({"1", "2"})
    public int threads;

    private int m;
    private int k;
    private int n;
    private Backend backend;
    private Tensor x;
    private Tensor w;
    private Tensor y;
    private Arena arena;
    private OpenBlas blas;
    private MemorySegment xs;
    private MemorySegment ws;
    private MemorySegment ys;

    /** FLOPs done, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflop;
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("x");
        m = Integer.parseInt(dims[0]);
        k = Integer.parseInt(dims[1]);
        n = Integer.parseInt(dims[2]);
        backend = new CpuBackendProvider().create(new BackendOptions(threads, 0));
        arena = Arena.ofShared();
        blas = new OpenBlas(arena);
        blas.setThreads(threads);
        Random random = new Random(42);
        // x holds x or dy, w holds W or x, y holds y, dx or dW: the operands of the chosen layout.
        float[] xv = random(random, m * (layout.equals("linear") ? k : n));
        float[] wv = random(random, layout.equals("backwardWeight") ? m * k : n * k);
        int outRows = layout.equals("backwardWeight") ? n : m;
        int outCols = layout.equals("linear") ? n : k;
        x = backend.fromFloats(Shape.of(m, xv.length / m), xv);
        w = backend.fromFloats(layout.equals("backwardWeight") ? Shape.of(m, k) : Shape.of(n, k), wv);
        y = backend.allocate(dev.ibex.spi.tensor.DType.F32, Shape.of(outRows, outCols));
        xs = copy(xv);
        ws = copy(wv);
        ys = arena.allocate(4L * outRows * outCols, 64);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
        arena.close();
    }

    @Benchmark
    public void ibex(Flops flops) {
        switch (layout) {
            case "linear" -> backend.linear(x, w, null, y, false);
            case "backwardInput" -> backend.linearBackwardInput(x, w, y);
            case "backwardWeight" -> backend.linearBackwardWeight(x, w, y);
            default -> throw new IllegalArgumentException(layout);
        }
        flops.gflop += 2e-9 * m * n * k;
    }

    @Benchmark
    public void openblas(Flops flops) {
        switch (layout) {
            case "linear" -> blas.sgemm(false, true, m, n, k, 1, xs, k, ws, k, 0, ys, n);
            case "backwardInput" -> blas.sgemm(false, false, m, k, n, 1, xs, n, ws, k, 1, ys, k);
            case "backwardWeight" -> blas.sgemm(true, false, n, k, m, 1, xs, n, ws, k, 1, ys, k);
            default -> throw new IllegalArgumentException(layout);
        }
        flops.gflop += 2e-9 * m * n * k;
    }

    private static float[] random(Random random, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = random.nextFloat() * 2 - 1;
        }
        return v;
    }

    private MemorySegment copy(float[] values) {
        MemorySegment s = arena.allocate(4L * values.length, 64);
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
        return s;
    }
}
