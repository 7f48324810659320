package dev.ibex.backend.cpu;

import static dev.ibex.backend.cpu.Dense.L;
import static dev.ibex.backend.cpu.Dense.S;
import static dev.ibex.backend.cpu.Dense.get;
import static dev.ibex.backend.cpu.Dense.load;
import static dev.ibex.backend.cpu.Dense.set;
import static dev.ibex.backend.cpu.Dense.store;

import dev.ibex.spi.backend.LossKernels;
import dev.ibex.spi.backend.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Cross-entropy, rows split across the pool: a vector max, a sum of exponentials (F32 lanes flushed to double
 * every block, so a 32k vocabulary loses no digits), and the gradient {@code gradScale·(softmax − onehot)} in the
 * same pass over the row. Per-row losses are summed in double in row order, so the result does not depend on the
 * thread count.
 */
final class CpuLoss implements LossKernels {
    /** Logits per chunk. */
    private static final int GRAIN = 1 << 15;
    /** Exponentials summed in F32 lanes before flushing to double. */
    private static final int BLOCK = 1024;

    private final WorkerPool pool;

    CpuLoss(WorkerPool pool) {
        this.pool = pool;
    }

    public double crossEntropy(Tensor logits, Tensor labels, int ignoreIndex, Tensor dlogits, float gradScale) {
        CpuTensor lt = CpuTensor.f32(logits, "logits");
        int rows = lt.rows();
        int vocab = lt.cols();
        if (labels.numel() != rows) {
            throw new IllegalArgumentException("crossEntropy: " + labels.numel() + " labels for " + rows + " rows");
        }
        if (dlogits != null && !dlogits.shape().equals(logits.shape())) {
            throw new IllegalArgumentException("crossEntropy: dlogits " + dlogits.shape() + " does not match "
                    + logits.shape());
        }
        int[] label = Dense.i32(labels, "labels").toArray(Dense.I32);
        for (int r = 0; r < rows; r++) {
            if (label[r] != ignoreIndex && (label[r] < 0 || label[r] >= vocab)) {
                throw new IndexOutOfBoundsException("label " + label[r] + " of row " + r + " is outside [0, "
                        + vocab + ") and is not the ignore index " + ignoreIndex);
            }
        }
        MemorySegment l = lt.data();
        MemorySegment d = Dense.f32OrNull(dlogits, "dlogits");
        double[] loss = new double[rows];
        pool.range(rows, Math.max(1, GRAIN / Math.max(1, vocab)), (from, to) -> {
            for (int r = from; r < to; r++) {
                if (label[r] != ignoreIndex) {
                    loss[r] = row(l, d, r * vocab, vocab, label[r], gradScale);
                }
            }
        });
        double sum = 0;
        for (double v : loss) {
            sum += v;
        }
        return sum;
    }

    /** The loss of the row at element {@code o}, adding its gradient into {@code d} when non-null. */
    private static double row(MemorySegment l, MemorySegment d, int o, int n, int label, float gradScale) {
        FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            mv = mv.max(load(l, o + i));
        }
        float max = mv.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, get(l, o + i));
        }
        double sum = 0;
        for (int b = 0; b < bound; b += BLOCK) {
            FloatVector acc = FloatVector.zero(S);
            for (int j = b, end = Math.min(bound, b + BLOCK); j < end; j += L) {
                acc = acc.add(VectorMath.exp(load(l, o + j).sub(max)));
            }
            sum += acc.reduceLanes(VectorOperators.ADD);
        }
        for (int j = bound; j < n; j++) {
            sum += Math.exp(get(l, o + j) - max);
        }
        double logSum = Math.log(sum);
        if (d != null) {
            // softmax_i = exp((l_i − max) − log Σ): both differences are small, so little is lost to rounding.
            float shift = (float) logSum;
            int j = 0;
            for (; j < bound; j += L) {
                FloatVector p = VectorMath.exp(load(l, o + j).sub(max).sub(shift));
                store(p.mul(gradScale).add(load(d, o + j)), d, o + j);
            }
            for (; j < n; j++) {
                float p = (float) Math.exp((double) get(l, o + j) - max - logSum);
                set(d, o + j, get(d, o + j) + gradScale * p);
            }
            set(d, o + label, get(d, o + label) - gradScale);
        }
        return (max - (double) get(l, o + label)) + logSum;
    }
}
