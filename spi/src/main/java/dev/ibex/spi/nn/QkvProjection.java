package dev.ibex.spi.nn;

/**
 * Projects the normalised hidden states to queries, keys and values. Separate projections are
 * {@link SeparateQkv}; fused ones (Falcon's {@code query_key_value}) split one linear's output by column blocks.
 */
public interface QkvProjection {

    /** Queries {@code [rows, heads·headDim]}, keys and values {@code [rows, kvHeads·headDim]}. */
    record Qkv(Var q, Var k, Var v) {
    }

    Qkv project(Graph g, Var x);
}
