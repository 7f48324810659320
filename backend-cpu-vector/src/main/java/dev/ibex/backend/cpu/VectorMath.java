package dev.ibex.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vectorised F32 activations and their derivatives. {@code exp} and {@code tanh} are the Vector API's (SVML-backed
 * on x86); the error function, which the API lacks, is the complementary form of Numerical Recipes' {@code erfcc}
 * (a Chebyshev fit with relative error below 1.2e-7 everywhere), so GELU keeps its relative accuracy deep in the
 * negative tail where {@code 1 + erf(x)} would cancel.
 */
final class VectorMath {
    private VectorMath() {
    }

    private static final float SQRT1_2 = 0.70710678118654752f;
    private static final float INV_SQRT_2PI = 0.39894228040143268f;
    private static final float SQRT_2_OVER_PI = 0.79788456080286536f;
    private static final float GELU_TANH_C = 0.044715f;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f; // ln 2 = LN2_HI + LN2_LO, LN2_HI exact in 9 bits
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUNDER = 12582912f; // 1.5·2^23: adding and subtracting it rounds to an integer

    /**
     * e^x to about 2 ulp (Cephes' {@code expf}: x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial for e^r,
     * 2^n built in the exponent bits). Inputs are clamped to [−87.3, 88.7], so results stay normal: tiny values
     * come out as ~1e-38 instead of underflowing, which no caller can tell from zero. Written out rather than
     * {@code lanewise(EXP)}, whose out-of-line SVML call was 3–5× slower here.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(-87.3f).min(88.7f);
        FloatVector n = c.mul(LOG2E).add(ROUNDER).sub(ROUNDER);
        FloatVector r = c.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
        FloatVector p = r.mul(1.9875691500e-4f).add(1.3981999507e-3f)
                .mul(r).add(8.3334519073e-3f)
                .mul(r).add(4.1665795894e-2f)
                .mul(r).add(1.6666665459e-1f)
                .mul(r).add(5.0000001201e-1f);
        FloatVector er = p.mul(r.mul(r)).add(r).add(1f);
        IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        return er.mul(bits.reinterpretAsFloats());
    }

    /** erfc(z) for every lane, to about 2e-7 relative. */
    static FloatVector erfc(FloatVector z) {
        // Beyond 10 erfc is below F32's smallest subnormal; the clamp also keeps a² finite.
        FloatVector a = z.abs().min(10f);
        FloatVector t = one(a).div(a.mul(0.5f).add(1f));
        FloatVector poly = t.mul(0.17087277f).add(-0.82215223f)
                .mul(t).add(1.48851587f)
                .mul(t).add(-1.13520398f)
                .mul(t).add(0.27886807f)
                .mul(t).add(-0.18628806f)
                .mul(t).add(0.09678418f)
                .mul(t).add(0.37409196f)
                .mul(t).add(1.00002368f)
                .mul(t).add(-1.26551223f);
        // exp(-a²) with a² split into hi + lo (lo exact by FMA): a² is large in the tail, and its rounding error
        // would otherwise be an error of the same size in the exponent.
        FloatVector hi = a.mul(a);
        FloatVector lo = a.fma(a, hi.neg());
        FloatVector r = t.mul(exp(poly.sub(hi))).mul(lo.neg().add(1f));
        return r.blend(r.neg().add(2f), z.lt(0f));
    }

    /** Φ(x) = erfc(−x/√2)/2, the standard normal CDF. */
    static FloatVector phi(FloatVector x) {
        return erfc(x.mul(-SQRT1_2)).mul(0.5f);
    }

    static FloatVector gelu(FloatVector x) {
        return x.mul(phi(x));
    }

    /** d/dx x·Φ(x) = Φ(x) + x·φ(x). */
    static FloatVector geluGrad(FloatVector x) {
        FloatVector density = exp(x.mul(x).mul(-0.5f)).mul(INV_SQRT_2PI);
        return x.fma(density, phi(x));
    }

    private static FloatVector geluTanhInner(FloatVector x) {
        // √(2/π)·(x + 0.044715·x³)
        return x.mul(x).mul(GELU_TANH_C).add(1f).mul(x).mul(SQRT_2_OVER_PI);
    }

    static FloatVector geluTanh(FloatVector x) {
        FloatVector t = geluTanhInner(x).lanewise(VectorOperators.TANH);
        return x.mul(0.5f).mul(t.add(1f));
    }

    static FloatVector geluTanhGrad(FloatVector x) {
        FloatVector t = geluTanhInner(x).lanewise(VectorOperators.TANH);
        FloatVector du = x.mul(x).mul(3 * GELU_TANH_C).add(1f).mul(SQRT_2_OVER_PI);
        FloatVector sech2 = t.mul(t).neg().add(1f);
        return t.add(1f).mul(0.5f).add(x.mul(0.5f).mul(sech2).mul(du));
    }

    static FloatVector sigmoid(FloatVector x) {
        return one(x).div(exp(x.neg()).add(1f));
    }

    private static FloatVector one(FloatVector like) {
        return FloatVector.broadcast(like.species(), 1f);
    }

    static FloatVector silu(FloatVector x) {
        return x.mul(sigmoid(x));
    }

    /** d/dx x·σ(x) = σ(x)·(1 + x·(1 − σ(x))). */
    static FloatVector siluGrad(FloatVector x) {
        FloatVector s = sigmoid(x);
        return s.mul(x.mul(s.neg().add(1f)).add(1f));
    }

    static FloatVector relu(FloatVector x) {
        return x.max(0f);
    }

    static FloatVector reluGrad(FloatVector x) {
        return one(x).blend(0f, x.compare(VectorOperators.LE, 0f));
    }
}
