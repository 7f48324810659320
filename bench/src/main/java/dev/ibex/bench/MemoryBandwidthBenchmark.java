package dev.ibex.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
 * The machine's DRAM read bandwidth as Java sees it: a vectorised float sum over a 1 GiB native segment (32×
 * the L3), split evenly over {@code threads} platform threads. The yardstick for {@link GemvBenchmark}; the
 * secondary result {@code gbytes} is GB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx2g"})
public class MemoryBandwidthBenchmark {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final long SIZE = 1L << 30;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private MemorySegment data;
    private ExecutorService helpers;

    /** Bytes read, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public double gbytes;
    }

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        data = arena.allocate(SIZE, 4096);
        data.fill((byte) 1);
        helpers = Executors.newFixedThreadPool(Math.max(1, threads - 1));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        helpers.shutdown();
        helpers.awaitTermination(1, TimeUnit.MINUTES);
        arena.close();
    }

    @Benchmark
    public float read(Bytes bytes) throws Exception {
        @SuppressWarnings("unchecked")
        Future<Float>[] others = new Future[threads - 1];
        for (int t = 1; t < threads; t++) {
            long from = SIZE * t / threads;
            long to = SIZE * (t + 1) / threads;
            others[t - 1] = helpers.submit(() -> sum(data, from, to));
        }
        float total = sum(data, 0, SIZE / threads);
        for (Future<Float> f : others) {
            total += f.get();
        }
        bytes.gbytes += SIZE / 1e9;
        return total;
    }

    /** Four independent accumulators, int loop counter (long-counted loops measured 10× slower here). */
    static float sum(MemorySegment s, long from, long to) {
        int step = 4 * F.vectorByteSize();
        int blocks = (int) ((to - from) / step);
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        long v = F.vectorByteSize();
        for (int i = 0; i < blocks; i++) {
            long at = from + (long) i * step;
            a0 = a0.add(FloatVector.fromMemorySegment(F, s, at, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(F, s, at + v, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(F, s, at + 2 * v, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(F, s, at + 3 * v, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }
}
