package dev.ibex.backend.cpu;

import static dev.ibex.backend.cpu.Dense.L;
import static dev.ibex.backend.cpu.Dense.S;
import static dev.ibex.backend.cpu.Dense.f32;
import static dev.ibex.backend.cpu.Dense.f32OrNull;
import static dev.ibex.backend.cpu.Dense.get;
import static dev.ibex.backend.cpu.Dense.load;
import static dev.ibex.backend.cpu.Dense.sameCount;
import static dev.ibex.backend.cpu.Dense.set;
import static dev.ibex.backend.cpu.Dense.store;

import dev.ibex.spi.backend.Activation;
import dev.ibex.spi.backend.DropoutMask;
import dev.ibex.spi.backend.ElementwiseKernels;
import dev.ibex.spi.backend.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Pointwise kernels: one vector loop each over the flat elements, split into chunks of at least {@link #GRAIN}
 * elements across the pool (smaller tensors run on the caller: a wake-up costs more than the work). Plain
 * arithmetic uses the same F32 operations as the reference, so {@code add}, {@code mul}, {@code scale} and
 * {@code axpy} round identically.
 */
final class CpuElementwise implements ElementwiseKernels {
    /** Elements per chunk: ~64 KiB of each operand, enough to amortise handing the chunk to a worker. */
    private static final int GRAIN = 1 << 14;

    private final WorkerPool pool;

    CpuElementwise(WorkerPool pool) {
        this.pool = pool;
    }

    /** A kernel over elements {@code [from, to)}. */
    @FunctionalInterface
    private interface Body {
        void run(int from, int to);
    }

    private void forEach(int n, Body body) {
        pool.range(n, GRAIN, body::run);
    }

    public void add(Tensor a, Tensor b, Tensor out) {
        int n = sameCount("add", a, b, out);
        MemorySegment x = f32(a, "a");
        MemorySegment y = f32(b, "b");
        MemorySegment o = f32(out, "out");
        forEach(n, (from, to) -> {
            int i = from;
            for (int end = from + S.loopBound(to - from); i < end; i += L) {
                store(load(x, i).add(load(y, i)), o, i);
            }
            for (; i < to; i++) {
                set(o, i, get(x, i) + get(y, i));
            }
        });
    }

    public void mul(Tensor a, Tensor b, Tensor out) {
        int n = sameCount("mul", a, b, out);
        MemorySegment x = f32(a, "a");
        MemorySegment y = f32(b, "b");
        MemorySegment o = f32(out, "out");
        forEach(n, (from, to) -> {
            int i = from;
            for (int end = from + S.loopBound(to - from); i < end; i += L) {
                store(load(x, i).mul(load(y, i)), o, i);
            }
            for (; i < to; i++) {
                set(o, i, get(x, i) * get(y, i));
            }
        });
    }

    public void scale(Tensor x, float alpha, Tensor out) {
        int n = sameCount("scale", x, out);
        MemorySegment in = f32(x, "x");
        MemorySegment o = f32(out, "out");
        forEach(n, (from, to) -> {
            int i = from;
            for (int end = from + S.loopBound(to - from); i < end; i += L) {
                store(load(in, i).mul(alpha), o, i);
            }
            for (; i < to; i++) {
                set(o, i, alpha * get(in, i));
            }
        });
    }

    public void axpy(float alpha, Tensor x, Tensor y) {
        int n = sameCount("axpy", x, y);
        MemorySegment in = f32(x, "x");
        MemorySegment acc = f32(y, "y");
        forEach(n, (from, to) -> {
            int i = from;
            for (int end = from + S.loopBound(to - from); i < end; i += L) {
                store(load(acc, i).add(load(in, i).mul(alpha)), acc, i);
            }
            for (; i < to; i++) {
                set(acc, i, get(acc, i) + alpha * get(in, i));
            }
        });
    }

    public void activation(Activation f, Tensor x, Tensor out) {
        int n = sameCount("activation", x, out);
        MemorySegment in = f32(x, "x");
        MemorySegment o = f32(out, "out");
        forEach(n, (from, to) -> {
            switch (f) {
                case RELU -> relu(in, o, from, to);
                case GELU -> gelu(in, o, from, to);
                case GELU_TANH -> geluTanh(in, o, from, to);
                case SILU -> silu(in, o, from, to);
            }
        });
    }

    // One loop per function, each calling its function directly: a shared loop calling through an interface
    // would make the call site megamorphic, and vectors passed through an un-inlined call are boxed.

    private static void relu(MemorySegment in, MemorySegment o, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            store(VectorMath.relu(load(in, i)), o, i);
        }
        for (; i < to; i++) {
            float v = get(in, i);
            set(o, i, v > 0 ? v : 0f);
        }
    }

    private static void gelu(MemorySegment in, MemorySegment o, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            store(VectorMath.gelu(load(in, i)), o, i);
        }
        if (i < to) {
            float[] tail = tail(in, i, to);
            VectorMath.gelu(FloatVector.fromArray(S, tail, 0)).intoArray(tail, 0);
            MemorySegment.copy(tail, 0, o, Dense.F32, i * 4L, to - i);
        }
    }

    private static void geluTanh(MemorySegment in, MemorySegment o, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            store(VectorMath.geluTanh(load(in, i)), o, i);
        }
        if (i < to) {
            float[] tail = tail(in, i, to);
            VectorMath.geluTanh(FloatVector.fromArray(S, tail, 0)).intoArray(tail, 0);
            MemorySegment.copy(tail, 0, o, Dense.F32, i * 4L, to - i);
        }
    }

    private static void silu(MemorySegment in, MemorySegment o, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            store(VectorMath.silu(load(in, i)), o, i);
        }
        if (i < to) {
            float[] tail = tail(in, i, to);
            VectorMath.silu(FloatVector.fromArray(S, tail, 0)).intoArray(tail, 0);
            MemorySegment.copy(tail, 0, o, Dense.F32, i * 4L, to - i);
        }
    }

    /**
     * Elements {@code [i, to)} (fewer than a vector) in a zero-padded array: tails go through the same vector
     * function as the body, so there is no second, scalar formula to keep in step.
     */
    private static float[] tail(MemorySegment in, int i, int to) {
        float[] t = new float[L];
        MemorySegment.copy(in, Dense.F32, i * 4L, t, 0, to - i);
        return t;
    }

    public void activationBackward(Activation f, Tensor x, Tensor dy, Tensor dx) {
        int n = sameCount("activationBackward", x, dy, dx);
        MemorySegment in = f32(x, "x");
        MemorySegment g = f32(dy, "dy");
        MemorySegment acc = f32(dx, "dx");
        forEach(n, (from, to) -> {
            int i = switch (f) {
                case RELU -> reluGrad(in, g, acc, from, to);
                case GELU -> geluGrad(in, g, acc, from, to);
                case GELU_TANH -> geluTanhGrad(in, g, acc, from, to);
                case SILU -> siluGrad(in, g, acc, from, to);
            };
            if (i < to) {
                FloatVector v = FloatVector.fromArray(S, tail(in, i, to), 0);
                FloatVector d = switch (f) {
                    case RELU -> VectorMath.reluGrad(v);
                    case GELU -> VectorMath.geluGrad(v);
                    case GELU_TANH -> VectorMath.geluTanhGrad(v);
                    case SILU -> VectorMath.siluGrad(v);
                };
                float[] grad = new float[L];
                d.intoArray(grad, 0);
                for (int j = 0; i < to; i++, j++) {
                    set(acc, i, get(acc, i) + grad[j] * get(g, i));
                }
            }
        });
    }

    // dx += f'(x)·dy over whole vectors of [from, to); each returns where the (shorter than a vector) tail starts.

    private static int reluGrad(MemorySegment in, MemorySegment g, MemorySegment acc, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            store(VectorMath.reluGrad(load(in, i)).fma(load(g, i), load(acc, i)), acc, i);
        }
        return i;
    }

    private static int geluGrad(MemorySegment in, MemorySegment g, MemorySegment acc, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            store(VectorMath.geluGrad(load(in, i)).fma(load(g, i), load(acc, i)), acc, i);
        }
        return i;
    }

    private static int geluTanhGrad(MemorySegment in, MemorySegment g, MemorySegment acc, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            store(VectorMath.geluTanhGrad(load(in, i)).fma(load(g, i), load(acc, i)), acc, i);
        }
        return i;
    }

    private static int siluGrad(MemorySegment in, MemorySegment g, MemorySegment acc, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            store(VectorMath.siluGrad(load(in, i)).fma(load(g, i), load(acc, i)), acc, i);
        }
        return i;
    }

    public void swiglu(Tensor gate, Tensor up, Tensor out) {
        int n = sameCount("swiglu", gate, up, out);
        MemorySegment g = f32(gate, "gate");
        MemorySegment u = f32(up, "up");
        MemorySegment o = f32(out, "out");
        forEach(n, (from, to) -> {
            float[] gs = new float[L];
            float[] us = new float[L];
            for (int i = from; i < to; i += L) {
                int m = Math.min(L, to - i);
                if (m == L) {
                    store(VectorMath.silu(load(g, i)).mul(load(u, i)), o, i);
                } else {
                    MemorySegment.copy(g, Dense.F32, i * 4L, gs, 0, m);
                    MemorySegment.copy(u, Dense.F32, i * 4L, us, 0, m);
                    VectorMath.silu(FloatVector.fromArray(S, gs, 0)).mul(FloatVector.fromArray(S, us, 0))
                            .intoArray(gs, 0);
                    MemorySegment.copy(gs, 0, o, Dense.F32, i * 4L, m);
                }
            }
        });
    }

    public void swigluBackward(Tensor gate, Tensor up, Tensor dy, Tensor dgate, Tensor dup) {
        int n = sameCount("swigluBackward", gate, up, dy, dgate, dup);
        MemorySegment g = f32(gate, "gate");
        MemorySegment u = f32(up, "up");
        MemorySegment d = f32(dy, "dy");
        MemorySegment dg = f32OrNull(dgate, "dgate");
        MemorySegment du = f32OrNull(dup, "dup");
        if (dg == null && du == null) {
            return;
        }
        forEach(n, (from, to) -> {
            int i = from;
            for (int end = from + S.loopBound(to - from); i < end; i += L) {
                FloatVector gv = load(g, i);
                FloatVector dv = load(d, i);
                if (dg != null) {
                    store(dv.mul(load(u, i)).fma(VectorMath.siluGrad(gv), load(dg, i)), dg, i);
                }
                if (du != null) {
                    store(dv.fma(VectorMath.silu(gv), load(du, i)), du, i);
                }
            }
            if (i < to) {
                int m = to - i;
                float[] gs = new float[L];
                MemorySegment.copy(g, Dense.F32, i * 4L, gs, 0, m);
                FloatVector gv = FloatVector.fromArray(S, gs, 0);
                float[] s = new float[L];
                float[] sg = new float[L];
                VectorMath.silu(gv).intoArray(s, 0);
                VectorMath.siluGrad(gv).intoArray(sg, 0);
                for (int j = 0; j < m; j++, i++) {
                    if (dg != null) {
                        set(dg, i, get(dg, i) + get(d, i) * get(u, i) * sg[j]);
                    }
                    if (du != null) {
                        set(du, i, get(du, i) + get(d, i) * s[j]);
                    }
                }
            }
        });
    }

    public void copyColumns(Tensor src, int srcCol, Tensor dst, int dstCol, int count, boolean accumulate) {
        CpuTensor s = CpuTensor.f32(src, "src");
        CpuTensor d = CpuTensor.f32(dst, "dst");
        int rows = s.rows();
        int srcCols = s.cols();
        int dstCols = d.cols();
        if (d.rows() != rows) {
            throw new IllegalArgumentException("copyColumns: " + s.shape() + " and " + d.shape() + " differ in rows");
        }
        if (srcCol < 0 || dstCol < 0 || count < 0 || srcCol + count > srcCols || dstCol + count > dstCols) {
            throw new IndexOutOfBoundsException("copyColumns: columns [" + srcCol + ", " + (srcCol + count) + ") of "
                    + s.shape() + " to [" + dstCol + ", " + (dstCol + count) + ") of " + d.shape());
        }
        MemorySegment in = s.data();
        MemorySegment out = d.data();
        pool.range(rows, Math.max(1, GRAIN / Math.max(1, count)), (from, to) -> {
            for (int r = from; r < to; r++) {
                int si = r * srcCols + srcCol;
                int di = r * dstCols + dstCol;
                if (!accumulate) {
                    MemorySegment.copy(in, si * 4L, out, di * 4L, count * 4L);
                    continue;
                }
                int c = 0;
                for (int end = S.loopBound(count); c < end; c += L) {
                    store(load(out, di + c).add(load(in, si + c)), out, di + c);
                }
                for (; c < count; c++) {
                    set(out, di + c, get(out, di + c) + get(in, si + c));
                }
            }
        });
    }

    public void dropout(Tensor x, float p, long seed, Tensor out) {
        int n = sameCount("dropout", x, out);
        MemorySegment in = f32(x, "x");
        MemorySegment o = f32(out, "out");
        float scale = DropoutMask.scale(p);
        // The mask is a 64-bit hash per element; AVX2 has no 64-bit vector multiply, so this stays scalar.
        forEach(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                set(o, i, DropoutMask.keep(seed, i, p) ? get(in, i) * scale : 0f);
            }
        });
    }
}
