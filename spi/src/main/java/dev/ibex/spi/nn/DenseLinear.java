package dev.ibex.spi.nn;

import java.util.Objects;

/**
 * A linear layer over a weight {@code [out, in]} that the backend multiplies directly: F32, F16, BF16, or a
 * quantized tensor (the backend picks the kernel from the weight's format).
 *
 * @param weight {@code [out, in]}
 * @param bias   {@code [out]} or null
 */
public record DenseLinear(Var weight, Var bias) implements Linear {
    public DenseLinear {
        Objects.requireNonNull(weight, "weight");
    }

    @Override
    public int inFeatures() {
        return weight.shape().intDim(1);
    }

    @Override
    public int outFeatures() {
        return weight.shape().intDim(0);
    }

    @Override
    public Var forward(Graph g, Var x) {
        return g.linear(x, weight, bias);
    }
}
