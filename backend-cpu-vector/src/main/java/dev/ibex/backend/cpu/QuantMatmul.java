package dev.ibex.backend.cpu;

import dev.ibex.backend.cpu.GemmPacking.Operand;
import dev.ibex.spi.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused dequantize-and-multiply products with quantized weights ({@link QuantRows}): NF4/FP4 and LLM.int8.
 * <ul>
 *   <li>Decode ({@code M ≤} {@link Gemv#MAX_ROWS}): each weight row is read once from its packed storage and dotted
 *       with every input row, four weight rows at a time as in {@link Gemv} ({@link QuantRows#dot4}), threads
 *       splitting the rows; memory traffic is the quantized bytes.
 *   <li>Prefill and training: the packed {@link Gemm}, its B blocks dequantized into the packing buffer
 *       ({@link QuantPanels}); the input gradient {@code dy·Ŵ} likewise.
 * </ul>
 * LLM.int8's input treatment (outlier columns, per-row int8 codes) is applied to x first ({@link Int8Rows#prepare}).
 */
final class QuantMatmul {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Weight rows per work item. */
    private static final int ROWS_PER_CHUNK = 64;
    /** Below this many weights a product runs on the calling thread. */
    private static final long PARALLEL_MIN_WEIGHTS = 1 << 16;

    private static final ThreadLocal<float[][]> INPUT = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> ROW = ThreadLocal.withInitial(() -> new float[1][0]);

    private final WorkerPool pool;
    private final Gemm gemm;
    /** LLM.int8's prepared GEMM input, reused between calls (the backend runs one call at a time). */
    private MemorySegment int8Input = MemorySegment.NULL;

    QuantMatmul(WorkerPool pool, Gemm gemm) {
        this.pool = pool;
        this.gemm = gemm;
    }

    /** {@code y (+)= x·Ŵᵀ + bias}; x {@code [m, k]}, y {@code [m, n]}. */
    void linear(QuantRows w, MemorySegment x, int m, MemorySegment bias, MemorySegment y, boolean accumulate) {
        int n = w.rows();
        int k = w.cols();
        if (m <= Gemv.MAX_ROWS) {
            gemv(w, x, m, bias, y, accumulate);
            return;
        }
        MemorySegment a = x;
        if (w instanceof Int8Rows int8) {
            a = int8Input(m, k);
            float[] prepared = new float[m * k];
            int8.prepare(x, m, prepared);
            MemorySegment.copy(prepared, 0, a, F32, 0, prepared.length);
        }
        gemm.multiply(m, n, k, new Operand(a, DType.F32, k, 1), QuantPanels.transposed(w), y, n, bias, accumulate);
    }

    /** {@code dx += dy·Ŵ}; dy {@code [m, n]}, dx {@code [m, k]}. */
    void linearBackwardInput(QuantRows w, MemorySegment dy, int m, MemorySegment dx) {
        int n = w.rows();
        int k = w.cols();
        gemm.multiply(m, k, n, new Operand(dy, DType.F32, n, 1), QuantPanels.rowMajor(w), dx, k, null, true);
    }

    private void gemv(QuantRows w, MemorySegment x, int m, MemorySegment bias, MemorySegment y, boolean accumulate) {
        int n = w.rows();
        int k = w.cols();
        float[][] holder = INPUT.get();
        if (holder[0].length < m * k) {
            holder[0] = new float[m * k];
        }
        float[] xs = holder[0];
        switch (w) {
            case Nf4Rows nf4 when nf4.fast() -> nf4.prepare(x, m, xs);
            case Int8Rows int8 -> int8.prepare(x, m, xs);
            default -> MemorySegment.copy(x, F32, 0, xs, 0, m * k);
        }
        int chunks = Math.ceilDiv(n, ROWS_PER_CHUNK);
        WorkerPool.Chunk body = c -> {
            int j1 = Math.min(n, (c + 1) * ROWS_PER_CHUNK);
            int j = c * ROWS_PER_CHUNK;
            if (w.fast()) {
                float[] dots = new float[Gemv.BLOCK];
                for (; j + Gemv.BLOCK <= j1; j += Gemv.BLOCK) {
                    for (int i = 0; i < m; i++) {
                        w.dot4(j, xs, i * k, dots);
                        for (int r = 0; r < Gemv.BLOCK; r++) {
                            Gemv.store(y, bias, i, j + r, n, dots[r], accumulate);
                        }
                    }
                }
                for (; j < j1; j++) {
                    for (int i = 0; i < m; i++) {
                        Gemv.store(y, bias, i, j, n, w.dot(j, xs, i * k), accumulate);
                    }
                }
                return;
            }
            float[] row = rowBuffer(k);
            for (; j < j1; j++) {
                w.decode(j, 0, k, row, 0, 1);
                for (int i = 0; i < m; i++) {
                    Gemv.store(y, bias, i, j, n, dot(row, xs, i * k, k), accumulate);
                }
            }
        };
        if ((long) n * k >= PARALLEL_MIN_WEIGHTS) {
            pool.run(chunks, body);
        } else {
            for (int c = 0; c < chunks; c++) {
                body.run(c);
            }
        }
    }

    private static float dot(float[] w, float[] xs, int xo, int k) {
        int l = S.length();
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        int body = k - k % (2 * l);
        for (int c = 0; c < body; c += 2 * l) {
            a0 = FloatVector.fromArray(S, w, c).fma(FloatVector.fromArray(S, xs, xo + c), a0);
            a1 = FloatVector.fromArray(S, w, c + l).fma(FloatVector.fromArray(S, xs, xo + c + l), a1);
        }
        float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (int c = body; c < k; c++) {
            sum += w[c] * xs[xo + c];
        }
        return sum;
    }

    private static float[] rowBuffer(int k) {
        float[][] holder = ROW.get();
        if (holder[0].length < k) {
            holder[0] = new float[k];
        }
        return holder[0];
    }

    private MemorySegment int8Input(int m, int k) {
        long bytes = 4L * m * k;
        if (int8Input.byteSize() < bytes) {
            int8Input = Arena.ofAuto().allocate(bytes, 64);
        }
        return int8Input;
    }
}
