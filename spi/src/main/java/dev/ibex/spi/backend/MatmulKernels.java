package dev.ibex.spi.backend;

/**
 * Matrix products. Weights are {@code [out, in]} = {@code [N, K]}, activations {@code [M, K]}, all row-major.
 * The weight operand {@code w} may be F32, F16, BF16 (converted to F32 on the fly, never materialised) or a
 * {@link QuantTensor}; everything else is F32.
 */
public interface MatmulKernels {

    /**
     * {@code y = x·wᵀ + bias}, or {@code y += x·wᵀ + bias} when {@code accumulate}.
     *
     * @param x    {@code [M, K]}
     * @param w    {@code [N, K]}
     * @param bias {@code [N]} or null
     * @param y    {@code [M, N]}
     */
    void linear(Tensor x, Tensor w, Tensor bias, Tensor y, boolean accumulate);

    /** Gradient with respect to the input of {@link #linear}: {@code dx += dy·w}; dy {@code [M, N]}, dx {@code [M, K]}. */
    void linearBackwardInput(Tensor dy, Tensor w, Tensor dx);

    /** Gradient with respect to an F32 weight: {@code dw += dyᵀ·x}; dy {@code [M, N]}, x {@code [M, K]}, dw {@code [N, K]}. */
    void linearBackwardWeight(Tensor dy, Tensor x, Tensor dw);

    /** Column sums, the bias gradient: {@code out[n] += Σ_m x[m, n]}. */
    void sumRows(Tensor x, Tensor out);
}
