package dev.ibex.spi.nn;

/**
 * Three separate projections. OPT multiplies the queries by {@code 1/√headDim} right after projecting them (and
 * then does not scale the scores); {@code queryScale} does that, and is 1 for everyone else.
 */
public record SeparateQkv(Linear q, Linear k, Linear v, float queryScale) implements QkvProjection {
    @Override
    public Qkv project(Graph g, Var x) {
        Var query = q.forward(g, x);
        if (queryScale != 1f) {
            query = g.scale(query, queryScale);
        }
        return new Qkv(query, k.forward(g, x), v.forward(g, x));
    }
}
