package dev.ibex.backend.cpu;

import dev.ibex.spi.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
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
 * Rows of x past the first re-read the weight row from L1, not from memory.
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
        WorkerPool.Chunk body = c -> {
            int n0 = c * ROWS_PER_CHUNK;
            int n1 = Math.min(n, n0 + ROWS_PER_CHUNK);
            for (int j = n0; j < n1; j++) {
                for (int i = 0; i < m; i++) {
                    float dot = switch (dtype) {
                        case F32 -> dotF32(w, (long) j * k * 4L, xs, i * k, k);
                        case BF16 -> dotBf16(w, (long) j * k * 2L, xs, i * k, k);
                        case F16 -> dotF16(w, (long) j * k * 2L, xs, i * k, k);
                        default -> throw new IllegalArgumentException("cannot multiply by " + dtype);
                    };
                    long at = 4L * ((long) i * n + j);
                    float v = bias != null ? dot + bias.get(CpuMatmul.F32, 4L * j) : dot;
                    y.set(CpuMatmul.F32, at, accumulate ? y.get(CpuMatmul.F32, at) + v : v);
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
        float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (int c = body; c < k; c++) {
            sum += w.get(CpuMatmul.F32, row + c * 4L) * xs[xo + c];
        }
        return sum;
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
     * F16 through {@link HalfFloats#f16Finite}, which is exact except for infinities and NaN; the loop also
     * collects a flag for those, and a row that has any is redone by the exact scalar path. (The exact vector
     * decode is four times the work and, twice in one loop, overflows C2's inlining budget.)
     */
    private static float dotF16(MemorySegment w, long row, float[] xs, int xo, int k) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        IntVector specials = IntVector.zero(I);
        int body = k - k % (4 * L);
        for (int c = 0; c < body; c += 4 * L) {
            long at = row + c * 2L;
            IntVector p = IntVector.fromMemorySegment(I, w, at, LE);
            IntVector q = IntVector.fromMemorySegment(I, w, at + 4L * L, LE);
            a0 = HalfFloats.f16Finite(HalfFloats.even(p)).fma(FloatVector.fromArray(F, xs, xo + c), a0);
            a1 = HalfFloats.f16Finite(p).fma(FloatVector.fromArray(F, xs, xo + c + L), a1);
            a2 = HalfFloats.f16Finite(HalfFloats.even(q)).fma(FloatVector.fromArray(F, xs, xo + c + 2 * L), a2);
            a3 = HalfFloats.f16Finite(q).fma(FloatVector.fromArray(F, xs, xo + c + 3 * L), a3);
            specials = HalfFloats.specials(HalfFloats.specials(specials, p), q);
        }
        if (HalfFloats.anySpecial(specials)) {
            return tail(w, row, DType.F16, xs, xo, 0, k);
        }
        float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        return sum + tail(w, row, DType.F16, xs, xo, body, k);
    }

    /** The products the vector loop left; blocks of 2L among them are in the even/odd order of {@link #prepare}. */
    private static float tail(MemorySegment w, long row, DType dtype, float[] xs, int xo, int from, int k) {
        float sum = 0;
        int c = from;
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
