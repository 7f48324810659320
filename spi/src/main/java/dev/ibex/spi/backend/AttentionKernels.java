package dev.ibex.spi.backend;

/**
 * Causal scaled-dot-product attention with grouped key/value heads, an optional sliding window and an optional
 * key padding mask, computed in F32 with a numerically stable softmax.
 *
 * <p>Layouts: {@code q} and {@code out} are {@code [batch·queryLen, heads·headDim]}; {@code k} and {@code v} are
 * {@code [batch·keyCapacity, kvHeads·headDim]} with {@code keyCapacity = k.rows / batch ≥ keyLen} (a KV cache,
 * or just this step's keys). Query {@code t} of a sequence sits at key index {@code queryStart + t} and sees key
 * {@code j} iff {@code j ≤ queryStart + t}, {@code j > queryStart + t - window} (when {@code window > 0}) and
 * {@code keyMask[b, j] ≠ 0} (when {@code keyMask}, I32 {@code [batch, keyCapacity]}, is non-null). A query that
 * sees no key at all averages every value in {@code [0, keyLen)} uniformly, as HF's additive-minimum mask does;
 * such a row's {@code lse} is −∞ (the log of an empty sum) and, since its weights do not depend on the scores, the
 * backward pass gives it nothing for q and k and {@code dout/keyLen} to each value in {@code [0, keyLen)}.
 */
public interface AttentionKernels {

    /**
     * @param lse F32 {@code [batch·heads·queryLen]} receiving each row's log-sum-exp of scaled scores (needed by
     *            the backward pass), or null
     */
    void attention(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec spec,
                   Tensor out, Tensor lse);

    /**
     * Adds the gradients with respect to {@code q}, {@code k} and {@code v} into {@code dq}, {@code dk}, {@code dv}
     * (same layouts as their inputs); any of the three may be null when that gradient is not needed. {@code out} and
     * {@code lse} (non-null) are the forward pass's.
     */
    void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec spec,
                           Tensor out, Tensor lse, Tensor dout, Tensor dq, Tensor dk, Tensor dv);
}
