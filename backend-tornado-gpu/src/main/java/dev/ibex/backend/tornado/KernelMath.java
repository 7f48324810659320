package dev.ibex.backend.tornado;

import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Scalar helpers the kernels share, written for what TornadoVM's OpenCL code generator accepts (checked with
 * TornadoVM 5.2.0-jdk25; see README.md): it has no bit reinterpretation ({@code Float.intBitsToFloat} fails with
 * "unimplemented"), writes {@code Float.NaN} and the infinities as undeclared identifiers ({@code NaNF}), compiles
 * {@code >>>} on a {@code long} as an arithmetic shift, and cannot inline {@code Math.fma}. So 16-bit weights are
 * decoded arithmetically against a table of powers of two, the special values come from that table, and unsigned
 * shifts are masked by hand. TornadoVM inlines these methods into each kernel.
 */
final class KernelMath {
    private KernelMath() {
    }

    /** Element types of a weight operand, as passed to kernels. */
    static final int T_F32 = 0;
    static final int T_F16 = 1;
    static final int T_BF16 = 2;

    // The constant table (one small device array, filled by Device): special values and powers of two.
    static final int K_POS_INF = 0;
    static final int K_NEG_INF = 1;
    static final int K_NAN = 2;
    /** {@code 2^(e-25)} for F16 exponent e in 1..30; entry 0 holds 2^-24, the subnormal step. */
    static final int K_F16_POW2 = 8;
    /** {@code 2^(e-134)} for BF16 exponent e in 1..254; entry 0 holds 2^-133, the subnormal step. */
    static final int K_BF16_POW2 = K_F16_POW2 + 32;
    static final int K_SIZE = K_BF16_POW2 + 256;

    /** The constant table's host values. */
    static float[] constants() {
        float[] k = new float[K_SIZE];
        k[K_POS_INF] = Float.POSITIVE_INFINITY;
        k[K_NEG_INF] = Float.NEGATIVE_INFINITY;
        k[K_NAN] = Float.NaN;
        k[K_F16_POW2] = 0x1p-24f;
        for (int e = 1; e < 32; e++) {
            k[K_F16_POW2 + e] = (float) Math.scalb(1.0, e - 25);
        }
        k[K_BF16_POW2] = 0x1p-133f;
        for (int e = 1; e < 256; e++) {
            k[K_BF16_POW2 + e] = (float) Math.scalb(1.0, e - 134);
        }
        return k;
    }

    /**
     * IEEE half bits (0..65535) to float, exactly: {@code (1024 + m)·2^(e-25)} is an integer times a power of two,
     * so the product is exact; subnormals are {@code m·2^-24}.
     */
    static float f16(int bits, FloatArray k) {
        int e = (bits >> 10) & 0x1f;
        int m = bits & 0x3ff;
        float v;
        if (e == 0x1f) {
            v = m == 0 ? k.get(K_POS_INF) : k.get(K_NAN);
        } else if (e == 0) {
            v = m * k.get(K_F16_POW2);
        } else {
            v = (1024 + m) * k.get(K_F16_POW2 + e);
        }
        return (bits & 0x8000) != 0 ? -v : v;
    }

    /** bfloat16 bits (0..65535) to float, exactly (as {@link #f16}). */
    static float bf16(int bits, FloatArray k) {
        int e = (bits >> 7) & 0xff;
        int m = bits & 0x7f;
        float v;
        if (e == 0xff) {
            v = m == 0 ? k.get(K_POS_INF) : k.get(K_NAN);
        } else if (e == 0) {
            v = m * k.get(K_BF16_POW2);
        } else {
            v = (128 + m) * k.get(K_BF16_POW2 + e);
        }
        return (bits & 0x8000) != 0 ? -v : v;
    }

    /** Element {@code index} of a weight operand: F32 from the F32 heap, F16/BF16 decoded from the 16-bit heap. */
    static float load(FloatArray f32, ShortArray h16, FloatArray k, int type, int index) {
        if (type == T_F32) {
            return f32.get(index);
        }
        int bits = h16.get(index) & 0xffff;
        return type == T_F16 ? f16(bits, k) : bf16(bits, k);
    }

    // ---------------------------------------------------------------- activations (as VectorMath on the CPU)

    private static final float SQRT1_2 = 0.70710678118654752f;
    private static final float INV_SQRT_2PI = 0.39894228040143268f;
    private static final float SQRT_2_OVER_PI = 0.79788456080286536f;
    private static final float GELU_TANH_C = 0.044715f;

    /**
     * e^x with the argument clamped to [−87.3, 88]: always finite, so products like {@code e·s} in the derivatives
     * below never become ∞·0; tiny results come out near 1e-38 instead of 0, far below every tolerance.
     */
    static float expClamped(float x) {
        return TornadoMath.exp(TornadoMath.min(TornadoMath.max(x, -87.3f), 88f));
    }

    static float sigmoid(float x) {
        return 1f / (1f + expClamped(-x));
    }

    static float silu(float x) {
        return x * sigmoid(x);
    }

    /** d/dx x·σ(x) = σ(x)·(1 + x·(1 − σ(x))). */
    static float siluGrad(float x) {
        float s = sigmoid(x);
        return s * (1f + x * (1f - s));
    }

    /**
     * erfc(z) to about 2e-7 relative: Numerical Recipes' {@code erfcc}, the form the CPU backend uses, which keeps
     * its relative accuracy in the tail where {@code 1 − erf} would cancel.
     */
    static float erfc(float z) {
        float a = TornadoMath.min(TornadoMath.abs(z), 10f);
        float t = 1f / (1f + 0.5f * a);
        float poly = -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f
                + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));
        float r = t * expClamped(poly - a * a);
        return z < 0f ? 2f - r : r;
    }

    /** Φ(x) = erfc(−x/√2)/2. */
    static float phi(float x) {
        return 0.5f * erfc(-x * SQRT1_2);
    }

    static float gelu(float x) {
        return x * phi(x);
    }

    /** d/dx x·Φ(x) = Φ(x) + x·φ(x). */
    static float geluGrad(float x) {
        return phi(x) + x * INV_SQRT_2PI * expClamped(-0.5f * x * x);
    }

    private static float geluTanhInner(float x) {
        return SQRT_2_OVER_PI * (x + GELU_TANH_C * x * x * x);
    }

    /** 0.5·x·(1 + tanh u) written as x·σ(2u), which does not cancel for negative x. */
    static float geluTanh(float x) {
        return x * sigmoid(2f * geluTanhInner(x));
    }

    /** s + 2·x·s·(e·s)·u' with s = σ(2u), e = exp(−2u): neither term cancels (see the CPU backend's VectorMath). */
    static float geluTanhGrad(float x) {
        float e = expClamped(-2f * geluTanhInner(x));
        float s = 1f / (e + 1f);
        float du = SQRT_2_OVER_PI * (1f + 3f * GELU_TANH_C * x * x);
        return s + 2f * x * s * (e * s) * du;
    }

    /** Activation codes passed to kernels, in {@link dev.ibex.spi.backend.Activation} order. */
    static final int RELU = 0;
    static final int GELU = 1;
    static final int GELU_TANH = 2;
    static final int SILU = 3;

    static float activation(int f, float x) {
        if (f == RELU) {
            return x > 0f ? x : 0f;
        } else if (f == GELU) {
            return gelu(x);
        } else if (f == GELU_TANH) {
            return geluTanh(x);
        }
        return silu(x);
    }

    /** f'(x); ReLU's derivative at 0 is 0, as torch's. */
    static float derivative(int f, float x) {
        if (f == RELU) {
            return x > 0f ? 1f : 0f;
        } else if (f == GELU) {
            return geluGrad(x);
        } else if (f == GELU_TANH) {
            return geluTanhGrad(x);
        }
        return siluGrad(x);
    }

    // ---------------------------------------------------------------- dropout (DropoutMask's SplitMix64)

    /** SplitMix64's output function with its logical shifts spelled as masked arithmetic shifts (see above). */
    static long mix64(long z0) {
        long z = (z0 ^ ((z0 >> 30) & 0x3FFFFFFFFL)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ ((z >> 27) & 0x1FFFFFFFFFL)) * 0x94D049BB133111EBL;
        return z ^ ((z >> 31) & 0x1FFFFFFFFL);
    }

    /** {@link dev.ibex.spi.backend.DropoutMask#uniform}: the top 24 bits of the element's draw, times 2⁻²⁴. */
    static float uniform(long state, long index) {
        long z = mix64(state + (index + 1) * 0x9E3779B97F4A7C15L);
        return ((z >> 40) & 0xFFFFFFL) * 0x1.0p-24f;
    }
}
