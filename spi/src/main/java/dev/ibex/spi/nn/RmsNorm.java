package dev.ibex.spi.nn;

/** RMSNorm (LLaMA, Mistral): {@code weight ⊙ x·rsqrt(mean(x²) + eps)}. */
public record RmsNorm(Var weight, float eps) implements Norm {
    @Override
    public Var forward(Graph g, Var x) {
        return g.rmsNorm(x, weight, eps);
    }
}
