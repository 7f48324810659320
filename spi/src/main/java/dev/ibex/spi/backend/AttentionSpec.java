package dev.ibex.spi.backend;

/**
 * The shape of one scaled-dot-product attention call.
 *
 * @param batch     sequences in the batch
 * @param queryLen  queries per sequence
 * @param keyLen    keys per sequence in use (keys {@code [0, keyLen)} of the key tensor)
 * @param heads     query heads
 * @param kvHeads   key/value heads; each serves {@code heads/kvHeads} consecutive query heads (GQA, MQA when 1)
 * @param headDim   size of each head
 * @param scale     multiplier of {@code q·k} ({@code 1/√headDim} unless the model scales q itself)
 * @param window    sliding window: a query at index {@code i} sees keys {@code j > i - window}; 0 for none
 */
public record AttentionSpec(int batch, int queryLen, int keyLen, int heads, int kvHeads, int headDim, float scale,
                            int window) {
    public AttentionSpec {
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads + ")");
        }
    }
}
