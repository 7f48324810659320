package dev.ibex.backend.cpu;

import static dev.ibex.backend.cpu.Dense.L;
import static dev.ibex.backend.cpu.Dense.S;
import static dev.ibex.backend.cpu.Dense.get;
import static dev.ibex.backend.cpu.Dense.load;

import dev.ibex.spi.backend.AttentionSpec;
import dev.ibex.spi.backend.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * One attention call's geometry, checked against its tensors once: element offsets of q, k, v rows, and which keys
 * a query sees. Query {@code t} sits at key index {@code i = queryStart + t} and sees the keys in
 * {@code [lo(i), hi(i))} whose mask entry is non-zero. Also the small vector routines the kernels share.
 */
final class AttentionCall {
    final int batch;
    final int queryLen;
    final int keyLen;
    final int heads;
    final int kvHeads;
    /** Query heads per key/value head. */
    final int group;
    final int headDim;
    /** Keys per sequence in k and v (a KV cache may hold more than keyLen). */
    final int capacity;
    final int queryStart;
    final int window;
    final float scale;
    final MemorySegment q;
    final MemorySegment k;
    final MemorySegment v;
    /** The key mask as ints ({@code [batch·capacity]}), or null. */
    private final int[] mask;
    /** Per sequence, the count of unmasked keys before each index in [0, keyLen]: O(1) "does this row see anything". */
    private final int[] openBefore;

    AttentionCall(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec s) {
        this.batch = s.batch();
        this.queryLen = s.queryLen();
        this.keyLen = s.keyLen();
        this.heads = s.heads();
        this.kvHeads = s.kvHeads();
        this.group = heads / kvHeads;
        this.headDim = s.headDim();
        this.queryStart = queryStart;
        this.window = s.window();
        this.scale = s.scale();
        CpuTensor qt = CpuTensor.f32(q, "q");
        CpuTensor kt = CpuTensor.f32(k, "k");
        CpuTensor vt = CpuTensor.f32(v, "v");
        if (qt.shape().rows() != (long) batch * queryLen || qt.shape().cols() != (long) heads * headDim) {
            throw new IllegalArgumentException("attention: q " + qt.shape() + " does not match " + s);
        }
        long kvCols = (long) kvHeads * headDim;
        if (kt.shape().cols() != kvCols || !kt.shape().equals(vt.shape()) || kt.shape().rows() % batch != 0) {
            throw new IllegalArgumentException("attention: k " + kt.shape() + ", v " + vt.shape() + " do not match "
                    + s);
        }
        Dense.count(qt);
        Dense.count(kt);
        this.capacity = Math.toIntExact(kt.shape().rows() / batch);
        if (keyLen > capacity || keyLen < 0 || queryStart < 0) {
            throw new IllegalArgumentException("attention: keyLen " + keyLen + " and queryStart " + queryStart
                    + " do not fit the " + capacity + " keys per sequence in k");
        }
        this.q = qt.data();
        this.k = kt.data();
        this.v = vt.data();
        if (keyMask != null) {
            if (keyMask.numel() != (long) batch * capacity) {
                throw new IllegalArgumentException("attention: keyMask " + keyMask.shape() + " is not [" + batch
                        + ", " + capacity + "]");
            }
            mask = Dense.i32(keyMask, "keyMask").toArray(Dense.I32);
            openBefore = new int[batch * (keyLen + 1)];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < keyLen; j++) {
                    openBefore[b * (keyLen + 1) + j + 1] = openBefore[b * (keyLen + 1) + j]
                            + (mask[b * capacity + j] != 0 ? 1 : 0);
                }
            }
        } else {
            mask = null;
            openBefore = null;
        }
    }

    /** Checks that {@code t} is F32 with exactly {@code shape}'s element count and returns its segment. */
    static MemorySegment like(Tensor t, Tensor shapeOf, String what) {
        if (t == null) {
            return null;
        }
        if (!t.shape().equals(shapeOf.shape())) {
            throw new IllegalArgumentException("attention: " + what + " " + t.shape() + " does not match "
                    + shapeOf.shape());
        }
        return Dense.f32(t, what);
    }

    int qAt(int b, int t, int h) {
        return ((b * queryLen + t) * heads + h) * headDim;
    }

    int kAt(int b, int j, int kvh) {
        return ((b * capacity + j) * kvHeads + kvh) * headDim;
    }

    /** Elements between consecutive keys of one head. */
    int keyStride() {
        return kvHeads * headDim;
    }

    int lseAt(int b, int h, int t) {
        return (b * heads + h) * queryLen + t;
    }

    /** First key the query at index i may see (the sliding window's start). */
    int lo(int i) {
        return window > 0 ? Math.max(0, i - window + 1) : 0;
    }

    /** One past the last key the query at index i may see (causality, and the keys in use). */
    int hi(int i) {
        return Math.min(i + 1, keyLen);
    }

    boolean open(int b, int j) {
        return mask == null || mask[b * capacity + j] != 0;
    }

    /** True when the query at index i of sequence b sees no key at all. */
    boolean blind(int b, int i) {
        int lo = lo(i);
        int hi = hi(i);
        if (lo >= hi) {
            return true;
        }
        return openBefore != null && openBefore[b * (keyLen + 1) + hi] == openBefore[b * (keyLen + 1) + lo];
    }

    // ---------------------------------------------------------------- shared vector routines

    /**
     * Keys per block: eight vectors' worth, so one row's scores against a block are eight independent FMA chains
     * (enough to hide the FMA latency), and a block of keys and values stays in L1 while its rows use it.
     */
    static final int KEY_BLOCK = 8 * L;

    /**
     * Rows below which a task scores keys by dot products straight from the segment instead of transposing each
     * key block first: transposing costs a scalar copy per key element, which only pays off over several rows
     * (decoding has one per query head).
     */
    static final int PACK_MIN_ROWS = 8;

    /** Scores one row against keys [lo, hi) of a block starting at j0: either from the transposed block, or by dots. */
    void scores(float[] a, int ao, float[] t, MemorySegment s, int b, int kvh, int j0, int lo, int hi, float[] out) {
        if (t != null) {
            rowTimesBlock(a, ao, t, headDim, out);
        } else {
            for (int j = lo; j < hi; j++) {
                out[j - j0] = dot(a, ao, s, kAt(b, j, kvh), headDim);
            }
        }
    }

    /**
     * Sets {@code s[jj] = −∞} for every key of the block starting at j0 outside [lo, hi) or masked out: what the
     * softmax must not see.
     */
    void maskBlock(float[] s, int b, int j0, int lo, int hi) {
        for (int jj = 0; jj < KEY_BLOCK; jj++) {
            int j = j0 + jj;
            if (j < lo || j >= hi || !open(b, j)) {
                s[jj] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * Copies keys (or values) {@code [j0, j0 + count)} of head kvh in sequence b, transposed:
     * {@code t[d·KEY_BLOCK + jj] = s[j0 + jj][d]}, zero for jj ≥ count.
     */
    void packTransposed(MemorySegment s, int b, int kvh, int j0, int count, float[] t) {
        if (count < KEY_BLOCK) {
            Arrays.fill(t, 0f);
        }
        for (int jj = 0; jj < count; jj++) {
            int o = kAt(b, j0 + jj, kvh);
            for (int d = 0; d < headDim; d++) {
                t[d * KEY_BLOCK + jj] = get(s, o + d);
            }
        }
    }

    /**
     * {@code out[jj] = Σ_d a[ao + d]·t[d·KEY_BLOCK + jj]} for every jj of a block: one row against a transposed
     * block, broadcasting each of the row's elements over eight accumulator vectors (no horizontal sums).
     */
    static void rowTimesBlock(float[] a, int ao, float[] t, int n, float[] out) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        FloatVector a4 = FloatVector.zero(S);
        FloatVector a5 = FloatVector.zero(S);
        FloatVector a6 = FloatVector.zero(S);
        FloatVector a7 = FloatVector.zero(S);
        for (int d = 0; d < n; d++) {
            FloatVector x = FloatVector.broadcast(S, a[ao + d]);
            int o = d * KEY_BLOCK;
            a0 = FloatVector.fromArray(S, t, o).fma(x, a0);
            a1 = FloatVector.fromArray(S, t, o + L).fma(x, a1);
            a2 = FloatVector.fromArray(S, t, o + 2 * L).fma(x, a2);
            a3 = FloatVector.fromArray(S, t, o + 3 * L).fma(x, a3);
            a4 = FloatVector.fromArray(S, t, o + 4 * L).fma(x, a4);
            a5 = FloatVector.fromArray(S, t, o + 5 * L).fma(x, a5);
            a6 = FloatVector.fromArray(S, t, o + 6 * L).fma(x, a6);
            a7 = FloatVector.fromArray(S, t, o + 7 * L).fma(x, a7);
        }
        a0.intoArray(out, 0);
        a1.intoArray(out, L);
        a2.intoArray(out, 2 * L);
        a3.intoArray(out, 3 * L);
        a4.intoArray(out, 4 * L);
        a5.intoArray(out, 5 * L);
        a6.intoArray(out, 6 * L);
        a7.intoArray(out, 7 * L);
    }

    /**
     * {@code y[yo..yo+n) += Σ_{c < count} w[c·KEY_BLOCK + col]·x[rows[c]·n ..+n)}: column col of a block of
     * weights (one row per listed row of x) applied to those rows of x.
     */
    static void weightedColumn(float[] w, int col, int count, int[] rows, float[] x, int n, float[] y, int yo) {
        int d = 0;
        for (int end = S.loopBound(n); d < end; d += L) {
            FloatVector a0 = FloatVector.fromArray(S, y, yo + d);
            FloatVector a1 = FloatVector.zero(S);
            int c = 0;
            for (; c + 1 < count; c += 2) {
                a0 = FloatVector.fromArray(S, x, rows[c] * n + d)
                        .fma(FloatVector.broadcast(S, w[c * KEY_BLOCK + col]), a0);
                a1 = FloatVector.fromArray(S, x, rows[c + 1] * n + d)
                        .fma(FloatVector.broadcast(S, w[(c + 1) * KEY_BLOCK + col]), a1);
            }
            if (c < count) {
                a0 = FloatVector.fromArray(S, x, rows[c] * n + d)
                        .fma(FloatVector.broadcast(S, w[c * KEY_BLOCK + col]), a0);
            }
            a0.add(a1).intoArray(y, yo + d);
        }
        for (; d < n; d++) {
            float acc = y[yo + d];
            for (int c = 0; c < count; c++) {
                acc += w[c * KEY_BLOCK + col] * x[rows[c] * n + d];
            }
            y[yo + d] = acc;
        }
    }


    /** Σ_d a[ao + d]·s[so + d] for d in [0, n). */
    static float dot(float[] a, int ao, MemorySegment s, int so, int n) {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        int d = 0;
        for (int end = S.loopBound(n) - L; d < end; d += 2 * L) {
            acc0 = FloatVector.fromArray(S, a, ao + d).fma(load(s, so + d), acc0);
            acc1 = FloatVector.fromArray(S, a, ao + d + L).fma(load(s, so + d + L), acc1);
        }
        for (int end = S.loopBound(n); d < end; d += L) {
            acc0 = FloatVector.fromArray(S, a, ao + d).fma(load(s, so + d), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; d < n; d++) {
            sum += a[ao + d] * get(s, so + d);
        }
        return sum;
    }

    /**
     * {@code y[yo .. yo+n) += Σ_{j < count} w[wo + j]·s[base + j·stride .. + n)}: a weighted sum of rows of a
     * segment (values, or keys), accumulated in registers per vector of y.
     */
    static void weightedRows(float[] w, int wo, int count, MemorySegment s, int base, int stride, float[] y, int yo,
                             int n) {
        int d = 0;
        for (int end = S.loopBound(n); d < end; d += L) {
            FloatVector a0 = FloatVector.fromArray(S, y, yo + d);
            FloatVector a1 = FloatVector.zero(S);
            int j = 0;
            for (; j + 1 < count; j += 2) {
                a0 = load(s, base + j * stride + d).fma(FloatVector.broadcast(S, w[wo + j]), a0);
                a1 = load(s, base + (j + 1) * stride + d).fma(FloatVector.broadcast(S, w[wo + j + 1]), a1);
            }
            if (j < count) {
                a0 = load(s, base + j * stride + d).fma(FloatVector.broadcast(S, w[wo + j]), a0);
            }
            a0.add(a1).intoArray(y, yo + d);
        }
        for (; d < n; d++) {
            float acc = y[yo + d];
            for (int j = 0; j < count; j++) {
                acc += w[wo + j] * get(s, base + j * stride + d);
            }
            y[yo + d] = acc;
        }
    }

    /** {@code x[xo..xo+n) *= alpha}. */
    static void scale(float alpha, float[] x, int xo, int n) {
        int d = 0;
        for (int end = S.loopBound(n); d < end; d += L) {
            FloatVector.fromArray(S, x, xo + d).mul(alpha).intoArray(x, xo + d);
        }
        for (; d < n; d++) {
            x[xo + d] *= alpha;
        }
    }

    /** {@code y[yo..yo+n) += alpha·x[xo..xo+n)} on arrays. */
    static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector a = FloatVector.broadcast(S, alpha);
        int d = 0;
        for (int end = S.loopBound(n); d < end; d += L) {
            FloatVector.fromArray(S, x, xo + d).fma(a, FloatVector.fromArray(S, y, yo + d)).intoArray(y, yo + d);
        }
        for (; d < n; d++) {
            y[yo + d] += alpha * x[xo + d];
        }
    }

    /** {@code s[so..so+n) += alpha·x[xo..xo+n)}: a task's private sums added into a tensor. */
    static void addInto(float alpha, float[] x, int xo, MemorySegment s, int so, int n) {
        FloatVector a = FloatVector.broadcast(S, alpha);
        int d = 0;
        for (int end = S.loopBound(n); d < end; d += L) {
            Dense.store(FloatVector.fromArray(S, x, xo + d).fma(a, load(s, so + d)), s, so + d);
        }
        for (; d < n; d++) {
            Dense.set(s, so + d, get(s, so + d) + alpha * x[xo + d]);
        }
    }
}
