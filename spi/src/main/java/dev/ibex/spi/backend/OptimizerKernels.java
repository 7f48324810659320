package dev.ibex.spi.backend;

/** Parameter updates, on the device that holds the parameters. */
public interface OptimizerKernels {

    /**
     * One AdamW step exactly as {@code torch.optim.AdamW} (decoupled weight decay, bias-corrected), in F32:
     * <pre>
     * p *= 1 - lr·wd
     * m = β1·m + (1-β1)·g ;  v = β2·v + (1-β2)·g·g
     * p += -stepSize · m / (sqrt(v)/bias2Sqrt + eps)
     * </pre>
     */
    void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step);

    /** {@code Σ x²} over an F32 tensor, accumulated in double (for gradient-norm clipping). */
    double sumOfSquares(Tensor x);
}
