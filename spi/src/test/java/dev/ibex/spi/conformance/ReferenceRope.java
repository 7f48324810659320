package dev.ibex.spi.conformance;

import static dev.ibex.spi.conformance.ReferenceBackend.floats;
import static dev.ibex.spi.conformance.ReferenceBackend.ints;
import static dev.ibex.spi.conformance.ReferenceBackend.store;

import dev.ibex.spi.backend.RopeKernels;
import dev.ibex.spi.backend.RopeSpec;
import dev.ibex.spi.backend.Tensor;

/**
 * Rotary embeddings in Hugging Face's half-split layout, in F32 with torch's rounding: the angle is
 * {@code (float) position / positionScale} times {@code invFreq[i]} in F32, its cosine and sine are rounded to
 * F32, and {@code x·cos + rotate_half(x)·sin} rounds each product and the sum.
 */
final class ReferenceRope implements RopeKernels {

    @Override
    public void rope(Tensor x, Tensor positions, RopeSpec spec, Tensor out, boolean inverse, boolean accumulate) {
        int rows = Math.toIntExact(x.shape().rows());
        int cols = Math.toIntExact(x.shape().cols());
        int headDim = spec.headDim();
        int half = spec.rotaryDim() / 2;
        if (cols % headDim != 0 || spec.rotaryDim() > headDim) {
            throw new IllegalArgumentException("rope: " + cols + " columns are not heads of " + headDim
                    + " with " + spec.rotaryDim() + " rotary dims");
        }
        int[] pos = ints(positions);
        if (pos.length != rows) {
            throw new IllegalArgumentException("rope: " + pos.length + " positions for " + rows + " rows");
        }
        float[] in = floats(x);
        float[] res = accumulate ? floats(out) : new float[in.length];
        for (int r = 0; r < rows; r++) {
            float t = (float) pos[r] / spec.positionScale();
            for (int h = 0; h < cols / headDim; h++) {
                int o = r * cols + h * headDim;
                for (int i = 0; i < half; i++) {
                    float angle = t * spec.invFreq()[i];
                    float c = (float) Math.cos(angle);
                    float s = (float) Math.sin(angle);
                    if (inverse) {
                        s = -s; // R(-θ) = R(θ)ᵀ: the backward pass
                    }
                    float x1 = in[o + i];
                    float x2 = in[o + i + half];
                    float y1 = x1 * c + -x2 * s; // rotate_half(x) = (-x2, x1)
                    float y2 = x2 * c + x1 * s;
                    res[o + i] = accumulate ? res[o + i] + y1 : y1;
                    res[o + i + half] = accumulate ? res[o + i + half] + y2 : y2;
                }
                for (int i = 2 * half; i < headDim; i++) {
                    res[o + i] = accumulate ? res[o + i] + in[o + i] : in[o + i];
                }
            }
        }
        store(out, res);
    }
}
