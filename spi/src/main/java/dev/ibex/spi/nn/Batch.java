package dev.ibex.spi.nn;

import dev.ibex.spi.backend.Tensor;

/**
 * The inputs of one forward pass over {@code batch} sequences of {@code seqLen} new tokens each.
 *
 * @param batch         sequences
 * @param seqLen        new tokens per sequence
 * @param ids           I32 {@code [batch·seqLen]} token ids
 * @param positions     I32 {@code [batch·seqLen]} position ids, by the Hugging Face rule for this call
 *                      ({@code arange} from the cache length in training and plain decoding; {@code cumsum(mask)-1}
 *                      for left-padded generation). Architectures with their own rule (OPT) use {@link #mask}.
 * @param keyMask       I32 {@code [batch, keyCapacity]}: 1 for a real key, 0 for padding (keyCapacity is the cache
 *                      capacity, or {@code seqLen} without a cache); null when nothing is padded
 * @param mask          the host-side attention mask {@code [batch][past + seqLen]} as HF's {@code attention_mask},
 *                      or null for all ones
 * @param cache         the KV cache, or null for a full-sequence pass
 * @param logitRows     I32 row indices (into {@code batch·seqLen}) that need logits, or null for every row
 * @param checkpointLayers recompute each decoder layer's activations in the backward pass instead of keeping
 *                      them (gradient checkpointing)
 */
public record Batch(int batch, int seqLen, Tensor ids, Tensor positions, Tensor keyMask, int[][] mask,
                    KvCache cache, Tensor logitRows, boolean checkpointLayers) {

    /** Rows of the flattened {@code [batch·seqLen, hidden]} activations. */
    public int rows() {
        return batch * seqLen;
    }

    /** Tokens already in the cache before this pass. */
    public int past() {
        return cache == null ? 0 : cache.length();
    }
}
