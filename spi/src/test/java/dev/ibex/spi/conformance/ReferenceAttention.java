package dev.ibex.spi.conformance;

import static dev.ibex.spi.conformance.ReferenceBackend.floats;
import static dev.ibex.spi.conformance.ReferenceBackend.ints;
import static dev.ibex.spi.conformance.ReferenceBackend.store;

import dev.ibex.spi.backend.AttentionKernels;
import dev.ibex.spi.backend.AttentionSpec;
import dev.ibex.spi.backend.Tensor;

/**
 * Attention one (batch, head, query) row at a time, in double: the scores of the visible keys, their softmax, the
 * weighted sum of values. A row that sees no key averages every value in {@code [0, keyLen)} uniformly (HF's
 * additive-minimum mask makes all its scores equal) and gets {@code lse = −∞}, the log of an empty sum.
 *
 * <p>The backward pass recomputes the probabilities from the saved {@code lse} and differentiates
 * {@code out = Σ_j P_j·v_j}, {@code P = softmax(s)}, {@code s_j = scale·q·k_j}:
 * {@code dv_j += P_j·dout}, {@code dS_j = P_j·(dout·v_j − Σ_i P_i·dout·v_i)}, {@code dq += scale·Σ_j dS_j·k_j},
 * {@code dk_j += scale·dS_j·q}. A row that sees nothing has constant probabilities (uniform over
 * {@code [0, keyLen)}), so it passes {@code dout/keyLen} to every value and nothing to {@code q} or {@code k}: the
 * derivative of what the forward pass computes. (Torch's autograd differentiates {@code s + finfo.min} as if the
 * scores still mattered and would send {@code q} and {@code k} a gradient there; it agrees with this whenever such
 * rows get no upstream gradient, which is the case in HF training, where padded queries are never read.)
 */
final class ReferenceAttention implements AttentionKernels {

    /** The index arithmetic of one call, checked against the tensors. */
    private record Layout(AttentionSpec spec, int capacity, int[] mask, int queryStart) {
        static Layout of(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec s) {
            if (q.shape().rows() != (long) s.batch() * s.queryLen()
                    || q.shape().cols() != (long) s.heads() * s.headDim()) {
                throw new IllegalArgumentException("attention: q " + q.shape() + " does not match " + s);
            }
            long kvCols = (long) s.kvHeads() * s.headDim();
            if (k.shape().cols() != kvCols || !k.shape().equals(v.shape()) || k.shape().rows() % s.batch() != 0) {
                throw new IllegalArgumentException("attention: k " + k.shape() + ", v " + v.shape()
                        + " do not match " + s);
            }
            int capacity = Math.toIntExact(k.shape().rows() / s.batch());
            if (capacity < s.keyLen()) {
                throw new IllegalArgumentException("attention: keyLen " + s.keyLen() + " exceeds the " + capacity
                        + " keys per sequence in k");
            }
            int[] mask = null;
            if (keyMask != null) {
                if (keyMask.numel() != (long) s.batch() * capacity) {
                    throw new IllegalArgumentException("attention: keyMask " + keyMask.shape() + " is not [batch, "
                            + capacity + "]");
                }
                mask = ints(keyMask);
            }
            return new Layout(s, capacity, mask, queryStart);
        }

        int qAt(int b, int t, int h) {
            return ((b * spec.queryLen() + t) * spec.heads() + h) * spec.headDim();
        }

        int kAt(int b, int j, int kvh) {
            return ((b * capacity + j) * spec.kvHeads() + kvh) * spec.headDim();
        }

        int kvHead(int h) {
            return h / (spec.heads() / spec.kvHeads());
        }

        int lseAt(int b, int h, int t) {
            return (b * spec.heads() + h) * spec.queryLen() + t;
        }

        boolean visible(int b, int t, int j) {
            int i = queryStart + t;
            return j <= i
                    && (spec.window() <= 0 || j > i - spec.window())
                    && (mask == null || mask[b * capacity + j] != 0);
        }

        /** scale·q·k_j for every key in [0, keyLen), in double. */
        double[] scores(float[] qs, float[] ks, int b, int t, int h) {
            double[] s = new double[spec.keyLen()];
            int qo = qAt(b, t, h);
            for (int j = 0; j < s.length; j++) {
                int ko = kAt(b, j, kvHead(h));
                double dot = 0;
                for (int d = 0; d < spec.headDim(); d++) {
                    dot += (double) qs[qo + d] * ks[ko + d];
                }
                s[j] = spec.scale() * dot;
            }
            return s;
        }

        /**
         * The attention probabilities of one row, from its scores and log-sum-exp (null: computed here).
         * Returns null for a row that sees no key (uniform over [0, keyLen)).
         */
        double[] probabilities(double[] s, int b, int t, Double lse) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < s.length; j++) {
                if (visible(b, t, j)) {
                    max = Math.max(max, s[j]);
                }
            }
            if (max == Double.NEGATIVE_INFINITY) {
                double[] p = new double[s.length];
                java.util.Arrays.fill(p, 1.0 / s.length);
                return p;
            }
            double logSum;
            if (lse != null) {
                logSum = lse;
            } else {
                double sum = 0;
                for (int j = 0; j < s.length; j++) {
                    if (visible(b, t, j)) {
                        sum += Math.exp(s[j] - max);
                    }
                }
                logSum = max + Math.log(sum);
            }
            double[] p = new double[s.length];
            for (int j = 0; j < s.length; j++) {
                p[j] = visible(b, t, j) ? Math.exp(s[j] - logSum) : 0;
            }
            return p;
        }

        boolean seesNothing(int b, int t) {
            for (int j = 0; j < spec.keyLen(); j++) {
                if (visible(b, t, j)) {
                    return false;
                }
            }
            return true;
        }
    }

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec spec,
                          Tensor out, Tensor lse) {
        Layout l = Layout.of(q, k, v, keyMask, queryStart, spec);
        float[] qs = floats(q);
        float[] ks = floats(k);
        float[] vs = floats(v);
        float[] o = new float[qs.length];
        float[] lses = new float[spec.batch() * spec.heads() * spec.queryLen()];
        int hd = spec.headDim();
        for (int b = 0; b < spec.batch(); b++) {
            for (int h = 0; h < spec.heads(); h++) {
                for (int t = 0; t < spec.queryLen(); t++) {
                    double[] s = l.scores(qs, ks, b, t, h);
                    double[] p = l.probabilities(s, b, t, null);
                    double[] acc = new double[hd];
                    for (int j = 0; j < s.length; j++) {
                        int vo = l.kAt(b, j, l.kvHead(h));
                        for (int d = 0; d < hd; d++) {
                            acc[d] += p[j] * vs[vo + d];
                        }
                    }
                    int qo = l.qAt(b, t, h);
                    for (int d = 0; d < hd; d++) {
                        o[qo + d] = (float) acc[d];
                    }
                    lses[l.lseAt(b, h, t)] = (float) logSumExp(s, l, b, t);
                }
            }
        }
        store(out, o);
        if (lse != null) {
            store(lse, lses);
        }
    }

    private static double logSumExp(double[] s, Layout l, int b, int t) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < s.length; j++) {
            if (l.visible(b, t, j)) {
                max = Math.max(max, s[j]);
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (int j = 0; j < s.length; j++) {
            if (l.visible(b, t, j)) {
                sum += Math.exp(s[j] - max);
            }
        }
        return max + Math.log(sum);
    }

    @Override
    public void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec spec,
                                  Tensor out, Tensor lse, Tensor dout, Tensor dq, Tensor dk, Tensor dv) {
        Layout l = Layout.of(q, k, v, keyMask, queryStart, spec);
        if (lse == null) {
            throw new IllegalArgumentException("attentionBackward needs the lse saved by the forward pass");
        }
        float[] qs = floats(q);
        float[] ks = floats(k);
        float[] vs = floats(v);
        float[] lses = floats(lse);
        float[] g = floats(dout);
        double[] dqs = new double[qs.length];
        double[] dks = new double[ks.length];
        double[] dvs = new double[vs.length];
        int hd = spec.headDim();
        for (int b = 0; b < spec.batch(); b++) {
            for (int h = 0; h < spec.heads(); h++) {
                int kvh = l.kvHead(h);
                for (int t = 0; t < spec.queryLen(); t++) {
                    double[] s = l.scores(qs, ks, b, t, h);
                    boolean blind = l.seesNothing(b, t);
                    double[] p = l.probabilities(s, b, t, blind ? null : (double) lses[l.lseAt(b, h, t)]);
                    int qo = l.qAt(b, t, h);
                    double[] dp = new double[s.length];
                    double pdp = 0;
                    for (int j = 0; j < s.length; j++) {
                        int vo = l.kAt(b, j, kvh);
                        double dot = 0;
                        for (int d = 0; d < hd; d++) {
                            dot += (double) g[qo + d] * vs[vo + d];
                        }
                        dp[j] = dot;
                        pdp += p[j] * dot;
                    }
                    for (int j = 0; j < s.length; j++) {
                        int ko = l.kAt(b, j, kvh);
                        double ds = blind ? 0 : p[j] * (dp[j] - pdp);
                        for (int d = 0; d < hd; d++) {
                            dvs[ko + d] += p[j] * g[qo + d];
                            dqs[qo + d] += spec.scale() * ds * ks[ko + d];
                            dks[ko + d] += spec.scale() * ds * qs[qo + d];
                        }
                    }
                }
            }
        }
        addInto(dq, dqs);
        addInto(dk, dks);
        addInto(dv, dvs);
    }

    private static void addInto(Tensor target, double[] values) {
        if (target == null) {
            return;
        }
        float[] acc = floats(target);
        for (int i = 0; i < acc.length; i++) {
            acc[i] += (float) values[i];
        }
        store(target, acc);
    }
}
