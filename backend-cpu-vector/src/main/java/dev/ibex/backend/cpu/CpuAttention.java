package dev.ibex.backend.cpu;

import static dev.ibex.backend.cpu.AttentionCall.KEY_BLOCK;
import static dev.ibex.backend.cpu.AttentionCall.PACK_MIN_ROWS;
import static dev.ibex.backend.cpu.AttentionCall.axpy;
import static dev.ibex.backend.cpu.AttentionCall.scale;
import static dev.ibex.backend.cpu.AttentionCall.weightedRows;
import static dev.ibex.backend.cpu.Dense.L;
import static dev.ibex.backend.cpu.Dense.S;

import dev.ibex.spi.backend.AttentionKernels;
import dev.ibex.spi.backend.AttentionSpec;
import dev.ibex.spi.backend.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Attention with a streaming ("flash") softmax: no score matrix is ever stored.
 *
 * <p>Forward: a task takes one sequence, one key/value head and a block of query positions, and treats every
 * query head of that group as its own row, so grouped heads share each key block. Keys are walked in blocks of
 * {@link AttentionCall#KEY_BLOCK}, transposed once per block so a row's scores are plain vector FMAs; per row, the
 * block's scores (only over the keys the row may see) update a running maximum, denominator and weighted value
 * sum. Training shapes give many such tasks; decoding (one query row per head) gives one task per (sequence,
 * key/value head), scoring by dot products straight from the cache.
 *
 * <p>Backward ({@link AttentionBackward}) recomputes the probabilities from the saved log-sum-exp. A task owns one
 * sequence, one key/value head and a range of keys, so its {@code dk}/{@code dv} rows are its own; {@code dq} is
 * summed per task and added at the end, directly when the task covers every key, or through per-task buffers when
 * the keys are split to keep every thread busy (few sequences and key/value heads, e.g. multi-query attention).
 *
 * <p>A row that sees no key averages every value in {@code [0, keyLen)} and gets {@code lse = −∞}.
 */
final class CpuAttention implements AttentionKernels {
    /** Query rows (positions × grouped heads) per forward task. */
    private static final int ROWS_PER_TASK = 64;

    private final WorkerPool pool;

    CpuAttention(WorkerPool pool) {
        this.pool = pool;
    }

    public void attention(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec spec, Tensor out,
                   Tensor lse) {
        AttentionCall c = new AttentionCall(q, k, v, keyMask, queryStart, spec);
        MemorySegment o = AttentionCall.like(out, q, "out");
        MemorySegment l = lse == null ? null : Dense.f32(lse, "lse");
        if (lse != null && lse.numel() != (long) c.batch * c.heads * c.queryLen) {
            throw new IllegalArgumentException("attention: lse " + lse.shape() + " is not [batch·heads·queryLen]");
        }
        int positions = Math.max(1, ROWS_PER_TASK / c.group);
        int blocks = (c.queryLen + positions - 1) / positions;
        // Few (sequence, key/value head, query block) tasks, e.g. decoding with multi-query attention: split each
        // group of query heads too, so every thread has work (each part reads the same keys, from shared cache).
        int owners = c.batch * c.kvHeads * blocks;
        int parts = Math.max(1, Math.min(c.group, (2 * pool.threads() + owners - 1) / owners));
        int tasks = owners * parts;
        pool.run(tasks, task -> {
            int part = task % parts;
            int block = task / parts % blocks;
            int kvh = task / parts / blocks % c.kvHeads;
            int b = task / parts / blocks / c.kvHeads;
            int t0 = block * positions;
            int g0 = (int) ((long) c.group * part / parts);
            int g1 = (int) ((long) c.group * (part + 1) / parts);
            forward(c, b, kvh, t0, Math.min(c.queryLen, t0 + positions), g0, g1, o, l);
        });
    }

    /**
     * Rows (t, h) for t in [t0, t1) and query heads h = kvh·group + [g0, g1) of key/value head kvh;
     * row r = (t − t0)·(g1 − g0) + (h − kvh·group − g0).
     */
    private static void forward(AttentionCall c, int b, int kvh, int t0, int t1, int g0, int g1, MemorySegment out,
                                MemorySegment lse) {
        int g = g1 - g0;
        int h0 = kvh * c.group + g0;
        int hd = c.headDim;
        int rows = (t1 - t0) * g;
        float[] qs = new float[rows * hd];
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(c.q, Dense.F32, c.qAt(b, t0 + r / g, h0 + r % g) * 4L, qs, r * hd, hd);
        }
        scale(c.scale, qs, 0, qs.length); // once per row instead of once per score: s = (scale·q)·k
        float[] acc = new float[rows * hd];
        float[] max = new float[rows];
        float[] sum = new float[rows];
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        float[] p = new float[KEY_BLOCK];
        float[] kT = rows >= PACK_MIN_ROWS ? new float[hd * KEY_BLOCK] : null;
        int stride = c.keyStride();
        int first = c.lo(c.queryStart + t0);
        int end = c.hi(c.queryStart + t1 - 1);
        for (int j0 = first; j0 < end; j0 += KEY_BLOCK) {
            int j1 = Math.min(end, j0 + KEY_BLOCK);
            if (kT != null) {
                c.packTransposed(c.k, b, kvh, j0, j1 - j0, kT);
            }
            for (int r = 0; r < rows; r++) {
                int i = c.queryStart + t0 + r / g;
                int lo = Math.max(j0, c.lo(i));
                int hi = Math.min(j1, c.hi(i));
                if (lo >= hi) {
                    continue;
                }
                c.scores(qs, r * hd, kT, c.k, b, kvh, j0, lo, hi, p);
                c.maskBlock(p, b, j0, lo, hi);
                float blockMax = FloatVector.fromArray(S, p, 0).reduceLanes(VectorOperators.MAX);
                for (int jj = L; jj < KEY_BLOCK; jj += L) {
                    blockMax = Math.max(blockMax, FloatVector.fromArray(S, p, jj).reduceLanes(VectorOperators.MAX));
                }
                if (blockMax == Float.NEGATIVE_INFINITY) {
                    continue; // every key of this block is masked for this row
                }
                float newMax = Math.max(max[r], blockMax);
                float alpha = max[r] == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(max[r] - newMax);
                max[r] = newMax;
                sum[r] = sum[r] * alpha + softmaxWeights(p, newMax);
                if (alpha != 1f) {
                    scale(alpha, acc, r * hd, hd);
                }
                weightedRows(p, lo - j0, hi - lo, c.v, c.kAt(b, lo, kvh), stride, acc, r * hd, hd);
            }
        }
        double[] uniform = null;
        for (int r = 0; r < rows; r++) {
            int t = t0 + r / g;
            int h = h0 + r % g;
            int o = c.qAt(b, t, h);
            if (sum[r] == 0f) {
                if (uniform == null) {
                    uniform = meanValue(c, b, kvh);
                }
                for (int d = 0; d < hd; d++) {
                    Dense.set(out, o + d, (float) uniform[d]);
                }
                if (lse != null) {
                    Dense.set(lse, c.lseAt(b, h, t), Float.NEGATIVE_INFINITY);
                }
                continue;
            }
            float total = sum[r];
            int d = 0;
            for (int vend = S.loopBound(hd); d < vend; d += L) {
                Dense.store(FloatVector.fromArray(S, acc, r * hd + d).div(total), out, o + d);
            }
            for (; d < hd; d++) {
                Dense.set(out, o + d, acc[r * hd + d] / total);
            }
            if (lse != null) {
                Dense.set(lse, c.lseAt(b, h, t), (float) (max[r] + Math.log(total)));
            }
        }
    }

    /** p[jj] = exp(p[jj] − max) over the block (masked scores, −∞, become exactly 0); returns Σ p. */
    private static float softmaxWeights(float[] p, float max) {
        FloatVector total = FloatVector.zero(S);
        for (int jj = 0; jj < KEY_BLOCK; jj += L) {
            FloatVector s = FloatVector.fromArray(S, p, jj);
            FloatVector e = VectorMath.exp(s.sub(max))
                    .blend(0f, s.compare(VectorOperators.EQ, Float.NEGATIVE_INFINITY));
            e.intoArray(p, jj);
            total = total.add(e);
        }
        return total.reduceLanes(VectorOperators.ADD);
    }

    /** The mean of the values in [0, keyLen) of one head: what a row that sees nothing attends to. */
    private static double[] meanValue(AttentionCall c, int b, int kvh) {
        double[] mean = new double[c.headDim];
        for (int j = 0; j < c.keyLen; j++) {
            int o = c.kAt(b, j, kvh);
            for (int d = 0; d < c.headDim; d++) {
                mean[d] += Dense.get(c.v, o + d);
            }
        }
        for (int d = 0; d < c.headDim; d++) {
            mean[d] /= Math.max(1, c.keyLen); // no keys at all: zeros, as the reference's empty average
        }
        return mean;
    }

    public void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec spec,
                           Tensor out, Tensor lse, Tensor dout, Tensor dq, Tensor dk, Tensor dv) {
        AttentionCall c = new AttentionCall(q, k, v, keyMask, queryStart, spec);
        if (lse == null) {
            throw new IllegalArgumentException("attentionBackward needs the lse saved by the forward pass");
        }
        if (lse.numel() != (long) c.batch * c.heads * c.queryLen) {
            throw new IllegalArgumentException("attention: lse " + lse.shape() + " is not [batch·heads·queryLen]");
        }
        AttentionBackward.Grads grads = new AttentionBackward.Grads(AttentionCall.like(out, q, "out"),
                Dense.f32(lse, "lse"), AttentionCall.like(dout, q, "dout"), AttentionCall.like(dq, q, "dq"),
                AttentionCall.like(dk, k, "dk"), AttentionCall.like(dv, v, "dv"));
        if (grads.dq() == null && grads.dk() == null && grads.dv() == null) {
            return;
        }
        int keyBlocks = (c.keyLen + KEY_BLOCK - 1) / KEY_BLOCK;
        int owners = c.batch * c.kvHeads;
        // Enough tasks for every thread (twice over, for the causal imbalance), never more than key blocks.
        int splits = Math.max(1, Math.min(keyBlocks, (2 * pool.threads() + owners - 1) / owners));
        float[][] partialDq = splits > 1 && grads.dq() != null ? new float[owners * splits][] : null;
        pool.run(owners * splits, task -> {
            int split = task % splits;
            int owner = task / splits;
            int from = (int) ((long) keyBlocks * split / splits) * KEY_BLOCK;
            int to = Math.min(c.keyLen, (int) ((long) keyBlocks * (split + 1) / splits) * KEY_BLOCK);
            float[] dqSum = AttentionBackward.keys(c, owner / c.kvHeads, owner % c.kvHeads, from, to, grads);
            if (partialDq != null) {
                partialDq[task] = dqSum;
            } else if (dqSum != null) {
                AttentionBackward.addDq(c, owner / c.kvHeads, owner % c.kvHeads, dqSum, grads.dq());
            }
        });
        if (partialDq != null) {
            pool.run(owners, owner -> {
                float[] total = partialDq[owner * splits];
                for (int split = 1; split < splits; split++) {
                    float[] part = partialDq[owner * splits + split];
                    axpy(1f, part, 0, total, 0, total.length);
                }
                AttentionBackward.addDq(c, owner / c.kvHeads, owner % c.kvHeads, total, grads.dq());
            });
        }
    }
}
