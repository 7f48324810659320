package dev.ibex.backend.cpu;

import static dev.ibex.backend.cpu.Dense.L;
import static dev.ibex.backend.cpu.Dense.S;
import static dev.ibex.backend.cpu.Dense.get;
import static dev.ibex.backend.cpu.Dense.load;
import static dev.ibex.backend.cpu.Dense.set;
import static dev.ibex.backend.cpu.Dense.store;

import dev.ibex.spi.backend.NormKernels;
import dev.ibex.spi.backend.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * RMSNorm and LayerNorm, row by row, rows split across the pool. Weights and biases (F32, F16 or BF16) are
 * converted to an F32 array once per call. Statistics are summed in F32 vector lanes and finished in double;
 * LayerNorm's variance takes a second pass over {@code x − mean}, so rows with a large mean keep their digits.
 * The weight and bias gradients sum over rows: each chunk of rows sums into its own array, and the chunks' arrays
 * are added at the end (no shared writes).
 */
final class CpuNorms implements NormKernels {
    /** Row elements per chunk: below this, splitting costs more than it saves. */
    private static final int GRAIN = 1 << 14;

    private final WorkerPool pool;

    CpuNorms(WorkerPool pool) {
        this.pool = pool;
    }

    /** Shape checks shared by the four kernels: x is [rows, n], every other row tensor matches. */
    private record Rows(int rows, int n) {
        static Rows of(String op, Tensor x, Tensor... same) {
            CpuTensor c = CpuTensor.f32(x, "x");
            for (Tensor t : same) {
                if (t != null && !t.shape().equals(x.shape())) {
                    throw new IllegalArgumentException(op + ": " + t.shape() + " does not match x " + x.shape());
                }
            }
            return new Rows(c.rows(), c.cols());
        }

        void checkStat(String op, Tensor stat) {
            if (stat != null && stat.numel() != rows) {
                throw new IllegalArgumentException(op + ": statistics " + stat.shape() + " for " + rows + " rows");
            }
        }

        int grain() {
            return Math.max(1, GRAIN / Math.max(1, n));
        }

        /** Chunks for a reduction over rows: one per thread at most, each at least grain() rows. */
        int chunks(int threads) {
            return Math.max(1, Math.min(threads, rows / grain()));
        }

        int chunkStart(int chunk, int chunks) {
            return (int) ((long) rows * chunk / chunks);
        }
    }

    private static float sumOfSquares(MemorySegment x, int o, int n) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n) - L; i < end; i += 2 * L) {
            FloatVector v0 = load(x, o + i);
            FloatVector v1 = load(x, o + i + L);
            a0 = v0.fma(v0, a0);
            a1 = v1.fma(v1, a1);
        }
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector v = load(x, o + i);
            a0 = v.fma(v, a0);
        }
        float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float v = get(x, o + i);
            s += v * v;
        }
        return s;
    }

    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor y, Tensor rstd) {
        Rows shape = Rows.of("rmsNorm", x, y);
        shape.checkStat("rmsNorm", rstd);
        int n = shape.n();
        float[] w = Dense.floats(weight, n, "rmsNorm weight");
        MemorySegment xs = Dense.f32(x, "x");
        MemorySegment ys = Dense.f32(y, "y");
        MemorySegment rs = Dense.f32OrNull(rstd, "rstd");
        pool.range(shape.rows(), shape.grain(), (from, to) -> {
            for (int row = from; row < to; row++) {
                int o = row * n;
                float r = (float) (1 / Math.sqrt((double) sumOfSquares(xs, o, n) / n + eps));
                if (rs != null) {
                    set(rs, row, r);
                }
                // HF's order: weight · (x · rstd), each product rounded to F32.
                int i = 0;
                for (int end = S.loopBound(n); i < end; i += L) {
                    store(load(xs, o + i).mul(r).mul(FloatVector.fromArray(S, w, i)), ys, o + i);
                }
                for (; i < n; i++) {
                    set(ys, o + i, w[i] * (get(xs, o + i) * r));
                }
            }
        });
    }

    public void rmsNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor rstd, Tensor dx, Tensor dweight) {
        Rows shape = Rows.of("rmsNormBackward", x, dy, dx);
        shape.checkStat("rmsNormBackward", required(rstd, "rstd"));
        int n = shape.n();
        float[] w = Dense.floats(weight, n, "rmsNorm weight");
        MemorySegment xs = Dense.f32(x, "x");
        MemorySegment gs = Dense.f32(dy, "dy");
        MemorySegment rs = Dense.f32(rstd, "rstd");
        MemorySegment dxs = Dense.f32OrNull(dx, "dx");
        boolean wantW = dweight != null;
        if (dxs == null && !wantW) {
            return;
        }
        int chunks = shape.chunks(pool.threads());
        float[][] dw = new float[chunks][];
        pool.run(chunks, c -> {
            float[] acc = wantW ? new float[n] : null;
            for (int row = shape.chunkStart(c, chunks), end = shape.chunkStart(c + 1, chunks); row < end; row++) {
                int o = row * n;
                float r = get(rs, row);
                if (dxs != null) {
                    // ∂/∂x_i = r·w_i·dy_i − (r³/n)·x_i·Σ_j w_j·dy_j·x_j
                    float dot = dotWeighted(w, gs, xs, o, n);
                    float k = r * r * r / n * dot;
                    int i = 0;
                    for (int vend = S.loopBound(n); i < vend; i += L) {
                        FloatVector wg = FloatVector.fromArray(S, w, i).mul(load(gs, o + i));
                        FloatVector d = wg.mul(r).sub(load(xs, o + i).mul(k));
                        store(load(dxs, o + i).add(d), dxs, o + i);
                    }
                    for (; i < n; i++) {
                        set(dxs, o + i, get(dxs, o + i) + (w[i] * get(gs, o + i) * r - get(xs, o + i) * k));
                    }
                }
                if (acc != null) {
                    // ∂/∂w_i = Σ_rows dy_i·x_i·r
                    int i = 0;
                    for (int vend = S.loopBound(n); i < vend; i += L) {
                        load(gs, o + i).mul(load(xs, o + i)).mul(r).add(FloatVector.fromArray(S, acc, i))
                                .intoArray(acc, i);
                    }
                    for (; i < n; i++) {
                        acc[i] += get(gs, o + i) * get(xs, o + i) * r;
                    }
                }
            }
            dw[c] = acc;
        });
        if (wantW) {
            addInto(dweight, dw, n);
        }
    }

    /** Σ_i w_i·g_i·x_i over one row. */
    private static float dotWeighted(float[] w, MemorySegment g, MemorySegment x, int o, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            acc = FloatVector.fromArray(S, w, i).mul(load(g, o + i)).fma(load(x, o + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += w[i] * get(g, o + i) * get(x, o + i);
        }
        return s;
    }

    public void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y, Tensor mean, Tensor rstd) {
        Rows shape = Rows.of("layerNorm", x, y);
        shape.checkStat("layerNorm", mean);
        shape.checkStat("layerNorm", rstd);
        int n = shape.n();
        float[] w = Dense.floats(weight, n, "layerNorm weight");
        float[] b = bias == null ? new float[n] : Dense.floats(bias, n, "layerNorm bias");
        MemorySegment xs = Dense.f32(x, "x");
        MemorySegment ys = Dense.f32(y, "y");
        MemorySegment ms = Dense.f32OrNull(mean, "mean");
        MemorySegment rs = Dense.f32OrNull(rstd, "rstd");
        pool.range(shape.rows(), shape.grain(), (from, to) -> {
            for (int row = from; row < to; row++) {
                int o = row * n;
                float mu = (float) ((double) sum(xs, o, n) / n);
                float var = centredSquares(xs, o, n, mu) / n;
                float r = (float) (1 / Math.sqrt((double) var + eps));
                if (ms != null) {
                    set(ms, row, mu);
                }
                if (rs != null) {
                    set(rs, row, r);
                }
                int i = 0;
                for (int end = S.loopBound(n); i < end; i += L) {
                    FloatVector xhat = load(xs, o + i).sub(mu).mul(r);
                    store(xhat.fma(FloatVector.fromArray(S, w, i), FloatVector.fromArray(S, b, i)), ys, o + i);
                }
                for (; i < n; i++) {
                    set(ys, o + i, (get(xs, o + i) - mu) * r * w[i] + b[i]);
                }
            }
        });
    }

    private static float sum(MemorySegment x, int o, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            acc = acc.add(load(x, o + i));
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += get(x, o + i);
        }
        return s;
    }

    private static float centredSquares(MemorySegment x, int o, int n, float mu) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector d = load(x, o + i).sub(mu);
            acc = d.fma(d, acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float d = get(x, o + i) - mu;
            s += d * d;
        }
        return s;
    }

    public void layerNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor mean, Tensor rstd, Tensor dx, Tensor dweight,
                           Tensor dbias) {
        Rows shape = Rows.of("layerNormBackward", x, dy, dx);
        shape.checkStat("layerNormBackward", required(mean, "mean"));
        shape.checkStat("layerNormBackward", required(rstd, "rstd"));
        int n = shape.n();
        float[] w = Dense.floats(weight, n, "layerNorm weight");
        MemorySegment xs = Dense.f32(x, "x");
        MemorySegment gs = Dense.f32(dy, "dy");
        MemorySegment ms = Dense.f32(mean, "mean");
        MemorySegment rs = Dense.f32(rstd, "rstd");
        MemorySegment dxs = Dense.f32OrNull(dx, "dx");
        boolean wantW = dweight != null;
        boolean wantB = dbias != null;
        if (dxs == null && !wantW && !wantB) {
            return;
        }
        int chunks = shape.chunks(pool.threads());
        float[][] dw = new float[chunks][];
        float[][] db = new float[chunks][];
        pool.run(chunks, c -> {
            float[] accW = wantW ? new float[n] : null;
            float[] accB = wantB ? new float[n] : null;
            for (int row = shape.chunkStart(c, chunks), end = shape.chunkStart(c + 1, chunks); row < end; row++) {
                int o = row * n;
                float mu = get(ms, row);
                float r = get(rs, row);
                if (dxs != null) {
                    // ∂/∂x = r·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·w, x̂ = (x − mean)·r
                    FloatVector sg = FloatVector.zero(S);
                    FloatVector sgx = FloatVector.zero(S);
                    int i = 0;
                    for (int vend = S.loopBound(n); i < vend; i += L) {
                        FloatVector g = load(gs, o + i).mul(FloatVector.fromArray(S, w, i));
                        FloatVector xhat = load(xs, o + i).sub(mu).mul(r);
                        sg = sg.add(g);
                        sgx = g.fma(xhat, sgx);
                    }
                    float sumG = sg.reduceLanes(VectorOperators.ADD);
                    float sumGx = sgx.reduceLanes(VectorOperators.ADD);
                    for (int j = i; j < n; j++) {
                        float g = get(gs, o + j) * w[j];
                        sumG += g;
                        sumGx += g * ((get(xs, o + j) - mu) * r);
                    }
                    float meanG = sumG / n;
                    float meanGx = sumGx / n;
                    i = 0;
                    for (int vend = S.loopBound(n); i < vend; i += L) {
                        FloatVector g = load(gs, o + i).mul(FloatVector.fromArray(S, w, i));
                        FloatVector xhat = load(xs, o + i).sub(mu).mul(r);
                        FloatVector d = g.sub(meanG).sub(xhat.mul(meanGx)).mul(r);
                        store(load(dxs, o + i).add(d), dxs, o + i);
                    }
                    for (; i < n; i++) {
                        float g = get(gs, o + i) * w[i];
                        float xhat = (get(xs, o + i) - mu) * r;
                        set(dxs, o + i, get(dxs, o + i) + (g - meanG - xhat * meanGx) * r);
                    }
                }
                if (accW != null || accB != null) {
                    int i = 0;
                    for (int vend = S.loopBound(n); i < vend; i += L) {
                        FloatVector g = load(gs, o + i);
                        if (accW != null) {
                            FloatVector xhat = load(xs, o + i).sub(mu).mul(r);
                            g.fma(xhat, FloatVector.fromArray(S, accW, i)).intoArray(accW, i);
                        }
                        if (accB != null) {
                            g.add(FloatVector.fromArray(S, accB, i)).intoArray(accB, i);
                        }
                    }
                    for (; i < n; i++) {
                        float g = get(gs, o + i);
                        if (accW != null) {
                            accW[i] += g * ((get(xs, o + i) - mu) * r);
                        }
                        if (accB != null) {
                            accB[i] += g;
                        }
                    }
                }
            }
            dw[c] = accW;
            db[c] = accB;
        });
        if (wantW) {
            addInto(dweight, dw, n);
        }
        if (wantB) {
            addInto(dbias, db, n);
        }
    }

    private static Tensor required(Tensor t, String what) {
        if (t == null) {
            throw new IllegalArgumentException("the backward pass needs the saved " + what
                    + " from the forward pass");
        }
        return t;
    }

    /** target += Σ_chunks partial[chunk] (an F32 weight gradient of n elements). */
    private static void addInto(Tensor target, float[][] partials, int n) {
        MemorySegment t = Dense.f32(target, "weight gradient");
        if (target.numel() != n) {
            throw new IllegalArgumentException("weight gradient " + target.shape() + " does not match " + n
                    + " columns");
        }
        for (float[] p : partials) {
            int i = 0;
            for (int end = S.loopBound(n); i < end; i += L) {
                store(load(t, i).add(FloatVector.fromArray(S, p, i)), t, i);
            }
            for (; i < n; i++) {
                set(t, i, get(t, i) + p[i]);
            }
        }
    }
}
