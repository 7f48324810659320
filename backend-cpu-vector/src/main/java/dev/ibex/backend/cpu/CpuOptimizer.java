package dev.ibex.backend.cpu;

import static dev.ibex.backend.cpu.Dense.L;
import static dev.ibex.backend.cpu.Dense.S;
import static dev.ibex.backend.cpu.Dense.get;
import static dev.ibex.backend.cpu.Dense.load;
import static dev.ibex.backend.cpu.Dense.sameCount;
import static dev.ibex.backend.cpu.Dense.set;
import static dev.ibex.backend.cpu.Dense.store;

import dev.ibex.spi.backend.AdamWStep;
import dev.ibex.spi.backend.OptimizerKernels;
import dev.ibex.spi.backend.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * AdamW with torch's F32 order of operations (separate multiplies and adds, no fused multiply-add), so the
 * vector loop rounds exactly as the scalar reference does; and the sum of squares, per chunk in F32 lanes
 * flushed to double every block.
 */
final class CpuOptimizer implements OptimizerKernels {
    /** Elements per chunk. */
    private static final int GRAIN = 1 << 14;
    /** Squares summed in F32 lanes before flushing to double. */
    private static final int BLOCK = 4096;

    private final WorkerPool pool;

    CpuOptimizer(WorkerPool pool) {
        this.pool = pool;
    }

    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step) {
        int n = sameCount("adamw", param, grad, m, v);
        MemorySegment ps = Dense.f32(param, "param");
        MemorySegment gs = Dense.f32(grad, "grad");
        MemorySegment ms = Dense.f32(m, "exp_avg");
        MemorySegment vs = Dense.f32(v, "exp_avg_sq");
        float decay = step.decay();
        float b1 = step.beta1();
        float c1 = step.oneMinusBeta1();
        float b2 = step.beta2();
        float c2 = step.oneMinusBeta2();
        float negStep = -step.stepSize();
        float bias2Sqrt = step.bias2Sqrt();
        float eps = step.eps();
        pool.range(n, GRAIN, (from, to) -> {
            int i = from;
            for (int end = from + S.loopBound(to - from); i < end; i += L) {
                FloatVector g = load(gs, i);
                FloatVector mi = load(ms, i).mul(b1).add(g.mul(c1));
                FloatVector vi = load(vs, i).mul(b2).add(g.mul(c2).mul(g));
                FloatVector denom = vi.sqrt().div(bias2Sqrt).add(eps);
                FloatVector p = load(ps, i).mul(decay);
                store(p.add(mi.mul(negStep).div(denom)), ps, i);
                store(mi, ms, i);
                store(vi, vs, i);
            }
            for (; i < to; i++) {
                float g = get(gs, i);
                float mi = get(ms, i) * b1 + c1 * g;
                float vi = get(vs, i) * b2 + c2 * g * g;
                float denom = (float) Math.sqrt(vi) / bias2Sqrt + eps;
                float p = get(ps, i) * decay;
                set(ps, i, p + negStep * mi / denom);
                set(ms, i, mi);
                set(vs, i, vi);
            }
        });
    }

    public double sumOfSquares(Tensor x) {
        int n = Dense.count(x);
        MemorySegment xs = Dense.f32(x, "x");
        int chunks = Math.max(1, Math.min(pool.threads(), n / GRAIN));
        double[] partial = new double[chunks];
        pool.run(chunks, c -> {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            double sum = 0;
            int i = from;
            int bound = from + S.loopBound(to - from);
            while (i < bound) {
                FloatVector acc = FloatVector.zero(S);
                for (int end = Math.min(bound, i + BLOCK); i < end; i += L) {
                    FloatVector v = load(xs, i);
                    acc = v.fma(v, acc);
                }
                sum += acc.reduceLanes(VectorOperators.ADD);
            }
            for (; i < to; i++) {
                double v = get(xs, i);
                sum += v * v;
            }
            partial[c] = sum;
        });
        double total = 0;
        for (double p : partial) {
            total += p;
        }
        return total;
    }
}
