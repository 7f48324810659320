package dev.ibex.spi.backend;

/** Rotary position embeddings. */
public interface RopeKernels {

    /**
     * Rotates every head of {@code x} ({@code [rows, heads·headDim]}) by its row's position, in the
     * half-split ("rotate_half", NeoX) layout Hugging Face uses: dims {@code j} and {@code j + rotaryDim/2} pair
     * up, {@code x' = x·cos + rotate_half(x)·sin}, angle {@code = (position / positionScale)·invFreq[j]} in F32.
     *
     * @param positions  I32 {@code [rows]}
     * @param inverse    rotate by the negative angle (the backward pass: the transpose of the rotation)
     * @param accumulate {@code out += ...} instead of {@code out = ...}
     */
    void rope(Tensor x, Tensor positions, RopeSpec spec, Tensor out, boolean inverse, boolean accumulate);
}
