package dev.ibex.spi.nn;

import dev.ibex.spi.backend.AttentionSpec;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.RopeSpec;
import dev.ibex.spi.backend.Tensor;

/**
 * Multi-head causal self-attention over already projected queries, keys and values, shared by every
 * architecture: rotary embeddings (when {@code rope} is set), grouped-query / multi-query heads, an optional
 * sliding window, padding masks and the KV cache. The projections (fused or not) and the output projection stay
 * with the architecture.
 *
 * @param heads   query heads
 * @param kvHeads key/value heads (= heads for MHA, 1 for MQA)
 * @param headDim size of each head
 * @param scale   multiplier of {@code q·k}: {@code 1/√headDim}, or 1 when the model scales q itself (OPT)
 * @param rope    rotary embedding, or null (learned positions)
 * @param window  sliding window in tokens (Mistral), or 0
 */
public record SelfAttention(int heads, int kvHeads, int headDim, float scale, RopeSpec rope, int window) {

    public SelfAttention {
        if (heads <= 0 || kvHeads <= 0 || headDim <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("bad attention shape: heads " + heads + ", kvHeads " + kvHeads
                    + ", headDim " + headDim);
        }
    }

    /**
     * Attends {@code q} ({@code [rows, heads·headDim]}) over {@code k}, {@code v} ({@code [rows, kvHeads·headDim]})
     * of this pass and, with a cache, every cached token of {@code layer}. Returns {@code [rows, heads·headDim]}.
     */
    public Var forward(Graph g, Var q, Var k, Var v, Batch in, int layer) {
        if (rope != null) {
            q = g.rope(q, in.positions(), rope);
            k = g.rope(k, in.positions(), rope);
        }
        KvCache cache = in.cache();
        if (cache == null) {
            AttentionSpec spec = new AttentionSpec(in.batch(), in.seqLen(), in.seqLen(), heads, kvHeads, headDim,
                    scale, window);
            return g.attention(q, k, v, in.keyMask(), 0, spec);
        }
        Backend backend = g.backend();
        int past = cache.length();
        cache.checkRoom(in.seqLen());
        long kvDim = (long) kvHeads * headDim;
        Tensor keys = cache.keys(layer);
        Tensor values = cache.values(layer);
        for (int b = 0; b < in.batch(); b++) {
            long src = (long) b * in.seqLen() * kvDim;
            long dst = ((long) b * cache.capacity() + past) * kvDim;
            backend.copy(k.value(), src, keys, dst, in.seqLen() * kvDim);
            backend.copy(v.value(), src, values, dst, in.seqLen() * kvDim);
        }
        AttentionSpec spec = new AttentionSpec(in.batch(), in.seqLen(), past + in.seqLen(), heads, kvHeads, headDim,
                scale, window);
        return g.attention(q, g.constant(keys), g.constant(values), in.keyMask(), past, spec);
    }
}
