package dev.ibex.spi.backend;

/** Pointwise and copying kernels over F32 tensors of equal element count (unless stated). */
public interface ElementwiseKernels {

    /** {@code out = a + b}. */
    void add(Tensor a, Tensor b, Tensor out);

    /** {@code out = a ⊙ b}. */
    void mul(Tensor a, Tensor b, Tensor out);

    /** {@code out = alpha·x} ({@code out} may be {@code x}). */
    void scale(Tensor x, float alpha, Tensor out);

    /** {@code y += alpha·x}. */
    void axpy(float alpha, Tensor x, Tensor y);

    /** {@code out = f(x)}. */
    void activation(Activation f, Tensor x, Tensor out);

    /** {@code dx += f'(x) ⊙ dy}. */
    void activationBackward(Activation f, Tensor x, Tensor dy, Tensor dx);

    /** SwiGLU: {@code out = silu(gate) ⊙ up}. */
    void swiglu(Tensor gate, Tensor up, Tensor out);

    /** {@code dgate += dy ⊙ up ⊙ silu'(gate)}, {@code dup += dy ⊙ silu(gate)}. Either output may be null. */
    void swigluBackward(Tensor gate, Tensor up, Tensor dy, Tensor dgate, Tensor dup);

    /**
     * Column block copy between matrices with the same number of rows:
     * {@code dst[:, dstCol .. dstCol+count) (+)= src[:, srcCol .. srcCol+count)}.
     * Used to split fused projections (Falcon's {@code query_key_value}) and, with {@code accumulate}, to route
     * their gradients back.
     */
    void copyColumns(Tensor src, int srcCol, Tensor dst, int dstCol, int count, boolean accumulate);

    /**
     * Inverted dropout: {@code out[i] = DropoutMask.keep(seed, i, p) ? x[i]·DropoutMask.scale(p) : 0}, with {@code i}
     * the flat element index. The mask is a pure function of {@code (seed, i)} and identical on every backend, so the
     * backward pass is the same call on the upstream gradient.
     */
    void dropout(Tensor x, float p, long seed, Tensor out);
}
