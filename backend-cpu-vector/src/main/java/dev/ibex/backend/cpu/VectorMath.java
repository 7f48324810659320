package dev.ibex.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vectorised F32 activations and their derivatives, all built on one inlined {@link #exp}. The error function,
 * which the Vector API lacks, is the complementary form of Numerical Recipes' {@code erfcc} (a Chebyshev fit with
 * relative error below 1.2e-7 everywhere), so GELU keeps its relative accuracy deep in the negative tail where
 * {@code 1 + erf(x)} would cancel; the tanh GELU is rewritten with a sigmoid for the same reason.
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
     * 2^n built in the exponent bits). Inputs are clamped to [−87.3, 88] so that 2^n stays a normal float: results
     * are always finite, and tiny ones come out as ~1e-38 rather than 0 (callers that need an exact 0, the
     * attention masks, blend it in). Written out rather than {@code lanewise(EXP)}, whose out-of-line math-library
     * call measured several times slower here and depends on the platform.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(-87.3f).min(88f);
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

    /**
     * 0.5·x·(1 + tanh u) written as x·σ(2u): the same function, without the cancellation of 1 + tanh u for
     * negative x (where tanh u → −1), so the tail keeps its relative accuracy.
     */
    static FloatVector geluTanh(FloatVector x) {
        return x.mul(sigmoid(geluTanhInner(x).mul(2f)));
    }

    /**
     * 0.5·(1 + tanh u) + 0.5·x·sech²(u)·u' = s + 2·x·s·(1 − s)·u' with s = σ(2u), and 1 − s = e·s for
     * e = exp(−2u), so neither term cancels.
     */
    static FloatVector geluTanhGrad(FloatVector x) {
        FloatVector e = exp(geluTanhInner(x).mul(-2f));
        FloatVector s = one(x).div(e.add(1f));
        FloatVector du = x.mul(x).mul(3 * GELU_TANH_C).add(1f).mul(SQRT_2_OVER_PI);
        return x.mul(2f).mul(s).mul(e.mul(s)).mul(du).add(s);
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
