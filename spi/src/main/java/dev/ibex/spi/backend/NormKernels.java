package dev.ibex.spi.backend;

/**
 * Row-wise normalisation over the last dimension, computed in F32. Weights (and biases) may be F32, F16 or
 * BF16. The saved statistics ({@code mean}, {@code rstd}, one float per row) feed the backward kernels, which need
 * them (non-null); the forward kernels accept null for them in inference.
 */
public interface NormKernels {

    /** RMSNorm as LLaMA: {@code y = weight ⊙ x·rsqrt(mean(x²) + eps)}. */
    void rmsNorm(Tensor x, Tensor weight, float eps, Tensor y, Tensor rstd);

    /** {@code dx += ∂/∂x} and {@code dweight += ∂/∂weight}, each when non-null. */
    void rmsNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor rstd, Tensor dx, Tensor dweight);

    /** LayerNorm: {@code y = (x - mean)·rsqrt(var + eps) ⊙ weight + bias} (biased variance, as torch). */
    void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y, Tensor mean, Tensor rstd);

    /** {@code dx}, {@code dweight}, {@code dbias} {@code +=} their gradients, each when non-null. */
    void layerNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor mean, Tensor rstd,
                           Tensor dx, Tensor dweight, Tensor dbias);
}
