package dev.ibex.backend.cpu;

import static dev.ibex.backend.cpu.AttentionCall.KEY_BLOCK;
import static dev.ibex.backend.cpu.AttentionCall.PACK_MIN_ROWS;
import static dev.ibex.backend.cpu.AttentionCall.addInto;
import static dev.ibex.backend.cpu.AttentionCall.dot;
import static dev.ibex.backend.cpu.AttentionCall.scale;
import static dev.ibex.backend.cpu.AttentionCall.weightedColumn;
import static dev.ibex.backend.cpu.AttentionCall.weightedRows;
import static dev.ibex.backend.cpu.Dense.L;
import static dev.ibex.backend.cpu.Dense.S;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The attention backward pass for one (sequence, key/value head, key range): every query row of the group against
 * each key block in the range, recomputing {@code P = exp(s − lse)} and {@code dS = P·(dout·v − D)} with
 * {@code D = dout·out}, then, per chunk of rows, {@code dv += Pᵀ·dout}, {@code dk += dSᵀ·(scale·q)} and
 * {@code dq += dS·k} as weighted sums held in registers. A row that sees no key has constant (uniform)
 * probabilities: it sends {@code dout/keyLen} to every value and nothing to q or k.
 */
final class AttentionBackward {
    /** Rows whose probabilities are held at once: 2·64·KEY_BLOCK floats stay in L1/L2. */
    private static final int CHUNK = 64;

    private AttentionBackward() {
    }

    /** The backward pass's tensors (any of dq, dk, dv may be null). */
    record Grads(MemorySegment out, MemorySegment lse, MemorySegment dout, MemorySegment dq, MemorySegment dk,
                 MemorySegment dv) {
    }

    /** dq rows of one (sequence, key/value head) += scale·sum (row r = t·group + g). */
    static void addDq(AttentionCall c, int b, int kvh, float[] sum, MemorySegment dq) {
        int hd = c.headDim;
        for (int r = 0; r < c.queryLen * c.group; r++) {
            addInto(c.scale, sum, r * hd, dq, c.qAt(b, r / c.group, kvh * c.group + r % c.group), hd);
        }
    }

    /**
     * Gradients from keys [from, to) of key/value head kvh in sequence b. Adds into dk and dv directly (this task
     * owns those rows) and returns Σ_j dS_j·k_j per query row (dq before the scale), or null when dq is not wanted.
     */
    static float[] keys(AttentionCall c, int b, int kvh, int from, int to, Grads gr) {
        int g = c.group;
        int hd = c.headDim;
        int rows = c.queryLen * g;
        boolean wantDs = gr.dq() != null || gr.dk() != null;
        float[] qs = new float[rows * hd];
        float[] dout = new float[rows * hd];
        float[] delta = new float[rows];
        float[] rowLse = new float[rows];
        boolean[] blind = new boolean[rows];
        for (int r = 0; r < rows; r++) {
            int t = r / g;
            int h = kvh * g + r % g;
            int o = c.qAt(b, t, h);
            MemorySegment.copy(c.q, Dense.F32, o * 4L, qs, r * hd, hd);
            MemorySegment.copy(gr.dout(), Dense.F32, o * 4L, dout, r * hd, hd);
            // D_r = dout·out = Σ_j P_j·(dout·v_j): the softmax backward's row term.
            delta[r] = dot(dout, r * hd, gr.out(), o, hd);
            rowLse[r] = Dense.get(gr.lse(), c.lseAt(b, h, t));
            blind[r] = c.blind(b, c.queryStart + t);
        }
        // Scaled once: s = (scale·q)·k, and dk = Σ dS·(scale·q) carries the scale.
        scale(c.scale, qs, 0, qs.length);
        float[] dqSum = gr.dq() != null ? new float[rows * hd] : null;
        boolean packed = rows >= PACK_MIN_ROWS;
        float[] kT = packed ? new float[hd * KEY_BLOCK] : null;
        float[] vT = packed && wantDs ? new float[hd * KEY_BLOCK] : null;
        float[] dkBlock = new float[KEY_BLOCK * hd];
        float[] dvBlock = new float[KEY_BLOCK * hd];
        float[] p = new float[CHUNK * KEY_BLOCK];
        float[] ds = new float[CHUNK * KEY_BLOCK];
        float[] scores = new float[KEY_BLOCK];
        float[] dp = new float[KEY_BLOCK];
        int[] active = new int[rows];
        int[] chunkRows = new int[CHUNK];
        int stride = c.keyStride();
        float uniform = 1f / c.keyLen;
        for (int j0 = from; j0 < to; j0 += KEY_BLOCK) {
            int j1 = Math.min(to, j0 + KEY_BLOCK);
            int nk = j1 - j0;
            if (packed) {
                c.packTransposed(c.k, b, kvh, j0, nk, kT);
                if (vT != null) {
                    c.packTransposed(c.v, b, kvh, j0, nk, vT);
                }
            }
            // The rows that see a key of this block, or see nothing at all (they attend to every key).
            int count = 0;
            for (int r = 0; r < rows; r++) {
                int i = c.queryStart + r / g;
                if (blind[r] ? gr.dv() != null : Math.max(j0, c.lo(i)) < Math.min(j1, c.hi(i))) {
                    active[count++] = r;
                }
            }
            if (count == 0) {
                continue;
            }
            Arrays.fill(dkBlock, 0f);
            Arrays.fill(dvBlock, 0f);
            for (int c0 = 0; c0 < count; c0 += CHUNK) {
                int n = Math.min(CHUNK, count - c0);
                System.arraycopy(active, c0, chunkRows, 0, n);
                for (int x = 0; x < n; x++) {
                    int r = chunkRows[x];
                    int pr = x * KEY_BLOCK;
                    if (blind[r]) {
                        Arrays.fill(p, pr, pr + KEY_BLOCK, 0f);
                        Arrays.fill(p, pr, pr + nk, uniform);
                        Arrays.fill(ds, pr, pr + KEY_BLOCK, 0f);
                        continue;
                    }
                    int i = c.queryStart + r / g;
                    int lo = Math.max(j0, c.lo(i));
                    int hi = Math.min(j1, c.hi(i));
                    c.scores(qs, r * hd, kT, c.k, b, kvh, j0, lo, hi, scores);
                    c.maskBlock(scores, b, j0, lo, hi);
                    System.arraycopy(scores, 0, p, pr, KEY_BLOCK);
                    if (wantDs) {
                        // Keys outside [lo, hi) get no dot product on the unpacked path: zero, not stale, values.
                        Arrays.fill(dp, 0f);
                        c.scores(dout, r * hd, vT, c.v, b, kvh, j0, lo, hi, dp);
                    }
                    probabilities(p, ds, pr, dp, rowLse[r], delta[r], wantDs);
                }
                for (int jj = 0; jj < nk; jj++) {
                    if (gr.dv() != null) {
                        weightedColumn(p, jj, n, chunkRows, dout, hd, dvBlock, jj * hd);
                    }
                    if (gr.dk() != null) {
                        weightedColumn(ds, jj, n, chunkRows, qs, hd, dkBlock, jj * hd);
                    }
                }
                if (dqSum != null) {
                    for (int x = 0; x < n; x++) {
                        int r = chunkRows[x];
                        if (!blind[r]) {
                            weightedRows(ds, x * KEY_BLOCK, nk, c.k, c.kAt(b, j0, kvh), stride, dqSum, r * hd, hd);
                        }
                    }
                }
            }
            for (int j = j0; j < j1; j++) {
                if (gr.dk() != null) {
                    addInto(1f, dkBlock, (j - j0) * hd, gr.dk(), c.kAt(b, j, kvh), hd);
                }
                if (gr.dv() != null) {
                    addInto(1f, dvBlock, (j - j0) * hd, gr.dv(), c.kAt(b, j, kvh), hd);
                }
            }
        }
        return dqSum;
    }

    /**
     * Row {@code pr/KEY_BLOCK} of the chunk: {@code p = exp(s − lse)} in place (masked scores, −∞, give exactly 0)
     * and, when wanted, {@code ds = p·(dp − delta)}.
     */
    private static void probabilities(float[] p, float[] ds, int pr, float[] dp, float lse, float delta,
                                      boolean wantDs) {
        for (int jj = 0; jj < KEY_BLOCK; jj += L) {
            FloatVector s = FloatVector.fromArray(S, p, pr + jj);
            FloatVector e = VectorMath.exp(s.sub(lse))
                    .blend(0f, s.compare(VectorOperators.EQ, Float.NEGATIVE_INFINITY));
            e.intoArray(p, pr + jj);
            if (wantDs) {
                e.mul(FloatVector.fromArray(S, dp, jj).sub(delta)).intoArray(ds, pr + jj);
            }
        }
    }
}
