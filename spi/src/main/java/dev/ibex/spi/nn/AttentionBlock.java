package dev.ibex.spi.nn;

/** The attention half of a decoder layer: projections, {@link SelfAttention}, output projection. */
public record AttentionBlock(QkvProjection qkv, SelfAttention attention, Linear output) {
    public Var forward(Graph g, Var x, Batch in, int layer) {
        QkvProjection.Qkv p = qkv.project(g, x);
        return output.forward(g, attention.forward(g, p.q(), p.k(), p.v(), in, layer));
    }
}
