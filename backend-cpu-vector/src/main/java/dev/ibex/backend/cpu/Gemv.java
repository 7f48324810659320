package dev.ibex.backend.cpu;

import dev.ibex.spi.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code y[m, n] (+)= x[m, :]·W[n, :] + bias[n]} for a few rows of x (decode): each weight row is read once,
 * straight from its tensor, and dotted with every row of x, which sits in L1/L2 for the whole call. Weights
 * larger than the caches make this a memory-bandwidth problem, so the work per loaded byte is kept low (four
 * independent accumulators, no shuffles) and threads split the weight rows.
 *
 * <p>BF16 and F16 rows are read as int lanes, each holding two weights, and decoded without lane shuffles by
 * {@link HalfFloats}; the inputs are permuted once per call to the matching even/odd order ({@link #prepare}).
 * Rows of x past the first re-read the weight rows from L1/L2, not from memory.
 *
 * <p>Weight rows go {@link #BLOCK} at a time: one load of x serves four rows, and each core keeps four DRAM streams
 * in flight instead of one, which is what lets a core overlap its arithmetic with the memory it waits for
 * (measured on 2 Zen 3 cores, BF16 8192²: 0.72× → 1.02× of the DRAM read bandwidth; bench/README.md). Rows past
 * the last full block take the one-row loops; columns past the vector body, the scalar {@link #tail}.
 */
final class Gemv {
    /** The most rows of x for which streaming W once beats packing it for the GEMM. */
    static final int MAX_ROWS = 4;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Rows per work item: 64 rows of 4096 BF16 weights is 512 KB, enough to hide a hand-off, small enough to balance. */
    private static final int ROWS_PER_CHUNK = 64;
    /** Weight rows dotted together (a divisor of {@link #ROWS_PER_CHUNK}). */
    static final int BLOCK = 4;
    /** Columns a row contributes per turn where rows take turns ({@link #dotF16}): 1 KB of F16. */
    private static final int TURN = 512;

    private static final ThreadLocal<float[][]> INPUTS = ThreadLocal.withInitial(() -> new float[1][0]);

    private final WorkerPool pool;

    Gemv(WorkerPool pool) {
        this.pool = pool;
    }

    /**
     * The product for {@code m ≤ MAX_ROWS} rows of x ({@code [m, k]} F32), weight {@code w} ({@code [n, k]}, F32,
     * F16 or BF16), {@code y} {@code [m, n]}, {@code bias} {@code [n]} or null.
     */
    void multiply(int m, int n, int k, MemorySegment x, MemorySegment w, DType dtype, MemorySegment y,
                  MemorySegment bias, boolean accumulate) {
        float[] xs = prepare(m, k, x, dtype != DType.F32);
        int chunks = (n + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK;
        boolean parallel = (long) n * k >= 1 << 16;
        long rowBytes = (long) k * dtype.byteSize();
        WorkerPool.Chunk body = c -> {
            int n0 = c * ROWS_PER_CHUNK;
            int n1 = Math.min(n, n0 + ROWS_PER_CHUNK);
            float[] dots = new float[BLOCK];
            int j = n0;
            for (; j + BLOCK <= n1; j += BLOCK) {
                long row = j * rowBytes;
                for (int i = 0; i < m; i++) {
                    switch (dtype) {
                        case F32 -> dotF32(w, row, rowBytes, xs, i * k, k, dots);
                        case BF16 -> dotBf16(w, row, rowBytes, xs, i * k, k, dots);
                        case F16 -> dotF16(w, row, rowBytes, BLOCK, xs, i * k, k, dots);
                        default -> throw new IllegalArgumentException("cannot multiply by " + dtype);
                    }
                    for (int r = 0; r < BLOCK; r++) {
                        store(y, bias, i, j + r, n, dots[r], accumulate);
                    }
                }
            }
            for (; j < n1; j++) {
                long row = j * rowBytes;
                for (int i = 0; i < m; i++) {
                    float dot = switch (dtype) {
                        case F32 -> dotF32(w, row, xs, i * k, k);
                        case BF16 -> dotBf16(w, row, xs, i * k, k);
                        case F16 -> {
                            dotF16(w, row, rowBytes, 1, xs, i * k, k, dots);
                            yield dots[0];
                        }
                        default -> throw new IllegalArgumentException("cannot multiply by " + dtype);
                    };
                    store(y, bias, i, j, n, dot, accumulate);
                }
            }
        };
        if (parallel) {
            pool.run(chunks, body);
        } else {
            for (int c = 0; c < chunks; c++) {
                body.run(c);
            }
        }
    }

    /** {@code y[i, j] (+)= dot + bias[j]}. */
    static void store(MemorySegment y, MemorySegment bias, int i, int j, int n, float dot, boolean accumulate) {
        long at = 4L * ((long) i * n + j);
        float v = bias != null ? dot + bias.get(CpuMatmul.F32, 4L * j) : dot;
        y.set(CpuMatmul.F32, at, accumulate ? y.get(CpuMatmul.F32, at) + v : v);
    }

    /**
     * Copies x into this thread's input buffer; for 16-bit weights each block of {@code 2L} inputs is reordered to
     * its even elements, then its odd ones, matching {@link HalfFloats#even}/{@link HalfFloats#odd}. The tail
     * (k mod 2L) stays in order for the scalar loop.
     */
    private static float[] prepare(int m, int k, MemorySegment x, boolean pairs) {
        float[][] holder = INPUTS.get();
        if (holder[0].length < m * k) {
            holder[0] = new float[m * k];
        }
        float[] xs = holder[0];
        MemorySegment.copy(x, CpuMatmul.F32, 0, xs, 0, m * k);
        if (pairs) {
            int body = k - k % (2 * L);
            for (int i = 0; i < m; i++) {
                for (int b = i * k; b < i * k + body; b += 2 * L) {
                    long at = 4L * b;
                    for (int l = 0; l < L; l++) {
                        xs[b + l] = x.get(CpuMatmul.F32, at + 8L * l);
                        xs[b + L + l] = x.get(CpuMatmul.F32, at + 8L * l + 4);
                    }
                }
            }
        }
        return xs;
    }

    /** Rows {@code row, row + rowBytes, …} ({@link #BLOCK} of them) dotted with {@code xs[xo..]} into {@code out}. */
    private static void dotF32(MemorySegment w, long row, long rowBytes, float[] xs, int xo, int k, float[] out) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int body = k - k % L;
        for (int c = 0; c < body; c += L) {
            long at = row + c * 4L;
            FloatVector x = FloatVector.fromArray(F, xs, xo + c);
            a0 = FloatVector.fromMemorySegment(F, w, at, LE).fma(x, a0);
            a1 = FloatVector.fromMemorySegment(F, w, at + rowBytes, LE).fma(x, a1);
            a2 = FloatVector.fromMemorySegment(F, w, at + 2 * rowBytes, LE).fma(x, a2);
            a3 = FloatVector.fromMemorySegment(F, w, at + 3 * rowBytes, LE).fma(x, a3);
        }
        out[0] = a0.reduceLanes(VectorOperators.ADD) + tail(w, row, DType.F32, xs, xo, body, k);
        out[1] = a1.reduceLanes(VectorOperators.ADD) + tail(w, row + rowBytes, DType.F32, xs, xo, body, k);
        out[2] = a2.reduceLanes(VectorOperators.ADD) + tail(w, row + 2 * rowBytes, DType.F32, xs, xo, body, k);
        out[3] = a3.reduceLanes(VectorOperators.ADD) + tail(w, row + 3 * rowBytes, DType.F32, xs, xo, body, k);
    }

    /** As {@link #dotF32(MemorySegment, long, long, float[], int, int, float[])}, BF16 (inputs in even/odd order). */
    private static void dotBf16(MemorySegment w, long row, long rowBytes, float[] xs, int xo, int k, float[] out) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int body = k - k % (2 * L);
        for (int c = 0; c < body; c += 2 * L) {
            long at = row + c * 2L;
            FloatVector even = FloatVector.fromArray(F, xs, xo + c);
            FloatVector odd = FloatVector.fromArray(F, xs, xo + c + L);
            IntVector p = IntVector.fromMemorySegment(I, w, at, LE);
            a0 = HalfFloats.bf16(HalfFloats.odd(p)).fma(odd, HalfFloats.bf16(HalfFloats.even(p)).fma(even, a0));
            p = IntVector.fromMemorySegment(I, w, at + rowBytes, LE);
            a1 = HalfFloats.bf16(HalfFloats.odd(p)).fma(odd, HalfFloats.bf16(HalfFloats.even(p)).fma(even, a1));
            p = IntVector.fromMemorySegment(I, w, at + 2 * rowBytes, LE);
            a2 = HalfFloats.bf16(HalfFloats.odd(p)).fma(odd, HalfFloats.bf16(HalfFloats.even(p)).fma(even, a2));
            p = IntVector.fromMemorySegment(I, w, at + 3 * rowBytes, LE);
            a3 = HalfFloats.bf16(HalfFloats.odd(p)).fma(odd, HalfFloats.bf16(HalfFloats.even(p)).fma(even, a3));
        }
        out[0] = a0.reduceLanes(VectorOperators.ADD) + tail(w, row, DType.BF16, xs, xo, body, k);
        out[1] = a1.reduceLanes(VectorOperators.ADD) + tail(w, row + rowBytes, DType.BF16, xs, xo, body, k);
        out[2] = a2.reduceLanes(VectorOperators.ADD) + tail(w, row + 2 * rowBytes, DType.BF16, xs, xo, body, k);
        out[3] = a3.reduceLanes(VectorOperators.ADD) + tail(w, row + 3 * rowBytes, DType.BF16, xs, xo, body, k);
    }

    private static float dotF32(MemorySegment w, long row, float[] xs, int xo, int k) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int body = k - k % (4 * L);
        for (int c = 0; c < body; c += 4 * L) {
            long at = row + c * 4L;
            a0 = FloatVector.fromMemorySegment(F, w, at, LE).fma(FloatVector.fromArray(F, xs, xo + c), a0);
            a1 = FloatVector.fromMemorySegment(F, w, at + 4L * L, LE).fma(FloatVector.fromArray(F, xs, xo + c + L), a1);
            a2 = FloatVector.fromMemorySegment(F, w, at + 8L * L, LE).fma(FloatVector.fromArray(F, xs, xo + c + 2 * L), a2);
            a3 = FloatVector.fromMemorySegment(F, w, at + 12L * L, LE).fma(FloatVector.fromArray(F, xs, xo + c + 3 * L), a3);
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD) + tail(w, row, DType.F32, xs, xo, body, k);
    }

    private static float dotBf16(MemorySegment w, long row, float[] xs, int xo, int k) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int body = k - k % (4 * L);
        for (int c = 0; c < body; c += 4 * L) {
            long at = row + c * 2L;
            IntVector p = IntVector.fromMemorySegment(I, w, at, LE);
            IntVector q = IntVector.fromMemorySegment(I, w, at + 4L * L, LE);
            a0 = HalfFloats.bf16(HalfFloats.even(p)).fma(FloatVector.fromArray(F, xs, xo + c), a0);
            a1 = HalfFloats.bf16(HalfFloats.odd(p)).fma(FloatVector.fromArray(F, xs, xo + c + L), a1);
            a2 = HalfFloats.bf16(HalfFloats.even(q)).fma(FloatVector.fromArray(F, xs, xo + c + 2 * L), a2);
            a3 = HalfFloats.bf16(HalfFloats.odd(q)).fma(FloatVector.fromArray(F, xs, xo + c + 3 * L), a3);
        }
        float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        return sum + tail(w, row, DType.BF16, xs, xo, body, k);
    }

    /**
     * Rows {@code row, row + rowBytes, …} ({@code count} of them) of an F16 weight dotted with {@code xs[xo..]} into
     * {@code out}, through {@link HalfFloats#f16Finite}, which is exact except for infinities and NaN; the loop also
     * collects a flag for those, and if any row has any, every row is redone by the exact scalar path. The rows take
     * turns of {@link #TURN} columns rather than sharing one loop as the other types do: the F16 decode is too large
     * for C2 to inline four times (the exact vector decode, four times the work, overflows it even twice).
     */
    private static void dotF16(MemorySegment w, long row, long rowBytes, int count, float[] xs, int xo, int k,
                               float[] out) {
        IntVector specials = IntVector.zero(I);
        int body = k - k % (4 * L);
        Arrays.fill(out, 0, count, 0f);
        for (int c0 = 0; c0 < body; c0 += TURN) {
            int c1 = Math.min(body, c0 + TURN);
            for (int r = 0; r < count; r++) {
                long base = row + r * rowBytes;
                FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
                FloatVector a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
                for (int c = c0; c < c1; c += 4 * L) {
                    long at = base + c * 2L;
                    IntVector p = IntVector.fromMemorySegment(I, w, at, LE);
                    IntVector q = IntVector.fromMemorySegment(I, w, at + 4L * L, LE);
                    a0 = HalfFloats.f16Finite(HalfFloats.even(p)).fma(FloatVector.fromArray(F, xs, xo + c), a0);
                    a1 = HalfFloats.f16Finite(p).fma(FloatVector.fromArray(F, xs, xo + c + L), a1);
                    a2 = HalfFloats.f16Finite(HalfFloats.even(q)).fma(FloatVector.fromArray(F, xs, xo + c + 2 * L), a2);
                    a3 = HalfFloats.f16Finite(q).fma(FloatVector.fromArray(F, xs, xo + c + 3 * L), a3);
                    specials = HalfFloats.specials(HalfFloats.specials(specials, p), q);
                }
                out[r] += a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
            }
        }
        boolean exact = HalfFloats.anySpecial(specials);
        for (int r = 0; r < count; r++) {
            long base = row + r * rowBytes;
            out[r] = exact ? tail(w, base, DType.F16, xs, xo, 0, k)
                    : out[r] + tail(w, base, DType.F16, xs, xo, body, k);
        }
    }

    /**
     * The products the vector loop left; for 16-bit weights, blocks of 2L among them are in the even/odd order of
     * {@link #prepare}.
     */
    private static float tail(MemorySegment w, long row, DType dtype, float[] xs, int xo, int from, int k) {
        float sum = 0;
        int c = from;
        if (dtype == DType.F32) {
            for (; c < k; c++) {
                sum += w.get(CpuMatmul.F32, row + 4L * c) * xs[xo + c];
            }
            return sum;
        }
        for (; c + 2 * L <= k; c += 2 * L) {
            for (int l = 0; l < L; l++) {
                sum += GemmPacking.element(w, dtype, row + 2L * (c + 2 * l)) * xs[xo + c + l];
                sum += GemmPacking.element(w, dtype, row + 2L * (c + 2 * l + 1)) * xs[xo + c + L + l];
            }
        }
        for (; c < k; c++) {
            sum += GemmPacking.element(w, dtype, row + 2L * c) * xs[xo + c];
        }
        return sum;
    }
}
