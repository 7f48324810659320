package dev.ibex.spi.nn;

/** LayerNorm (OPT, Falcon) with an optional bias. */
public record LayerNorm(Var weight, Var bias, float eps) implements Norm {
    @Override
    public Var forward(Graph g, Var x) {
        return g.layerNorm(x, weight, bias, eps);
    }
}
