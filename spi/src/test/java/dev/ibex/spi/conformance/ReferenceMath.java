package dev.ibex.spi.conformance;

/**
 * Scalar double-precision functions the reference kernels need and {@link Math} lacks: the error function (W. J.
 * Cody's rational Chebyshev approximations, "Rational Chebyshev approximations for the error function", Math.
 * Comp. 1969, as in netlib's {@code specfun/erf}; about 1e-16 relative), and the activations with their
 * derivatives, written as Hugging Face / torch define them.
 */
final class ReferenceMath {
    private ReferenceMath() {
    }

    // Cody's coefficients: erf on |x| <= 0.46875, erfc on (0.46875, 4], erfc on (4, inf).
    private static final double[] A = {3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
            3.20937758913846947e03, 1.85777706184603153e-1};
    private static final double[] B = {2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
            2.84423683343917062e03};
    private static final double[] C = {5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
            2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03,
            1.23033935479799725e03, 2.15311535474403846e-8};
    private static final double[] D = {1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
            1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03,
            1.23033935480374942e03};
    private static final double[] P = {3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
            1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2};
    private static final double[] Q = {2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
            6.05183413124413191e-2, 2.33520497626869185e-3};
    private static final double SQRPI = 5.6418958354775628695e-1; // 1/sqrt(pi)
    private static final double XBIG = 26.543; // erfc(x) underflows to 0 beyond this

    /** The error function. */
    static double erf(double x) {
        double y = Math.abs(x);
        if (y <= 0.46875) {
            return x * smallRatio(y);
        }
        double erfcY = erfcTail(y);
        double r = (0.5 - erfcY) + 0.5;
        return x < 0 ? -r : r;
    }

    /** The complementary error function {@code 1 - erf(x)}, accurate in relative terms for large x. */
    static double erfc(double x) {
        double y = Math.abs(x);
        if (y <= 0.46875) {
            return 1 - x * smallRatio(y);
        }
        double erfcY = erfcTail(y);
        return x < 0 ? 2 - erfcY : erfcY;
    }

    /** erf(y)/y for |y| <= 0.46875. */
    private static double smallRatio(double y) {
        double ysq = y > 1.11e-16 ? y * y : 0;
        double num = A[4] * ysq;
        double den = ysq;
        for (int i = 0; i < 3; i++) {
            num = (num + A[i]) * ysq;
            den = (den + B[i]) * ysq;
        }
        return (num + A[3]) / (den + B[3]);
    }

    /** erfc(y) for y > 0.46875. */
    private static double erfcTail(double y) {
        double r;
        if (y <= 4) {
            double num = C[8] * y;
            double den = y;
            for (int i = 0; i < 7; i++) {
                num = (num + C[i]) * y;
                den = (den + D[i]) * y;
            }
            r = (num + C[7]) / (den + D[7]);
        } else {
            if (y >= XBIG) {
                return 0;
            }
            double ysq = 1 / (y * y);
            double num = P[5] * ysq;
            double den = ysq;
            for (int i = 0; i < 4; i++) {
                num = (num + P[i]) * ysq;
                den = (den + Q[i]) * ysq;
            }
            r = ysq * (num + P[4]) / (den + Q[4]);
            r = (SQRPI - r) / y;
        }
        // exp(-y²) split as exp(-ys²)·exp(-(y-ys)(y+ys)) with ys = y rounded down to 1/16: y² is not exact.
        double ys = Math.floor(y * 16) / 16;
        double del = (y - ys) * (y + ys);
        return Math.exp(-ys * ys) * Math.exp(-del) * r;
    }

    private static final double SQRT1_2 = 0.70710678118654752440;
    private static final double INV_SQRT_2PI = 0.39894228040143267794;
    private static final double SQRT_2_OVER_PI = 0.79788456080286535588;
    private static final double GELU_TANH_C = 0.044715;

    /** The standard normal CDF Φ(x) = erfc(-x/√2)/2, accurate in both tails. */
    static double phi(double x) {
        return 0.5 * erfc(-x * SQRT1_2);
    }

    static double gelu(double x) {
        return x * phi(x);
    }

    /** d/dx x·Φ(x) = Φ(x) + x·φ(x). */
    static double geluGrad(double x) {
        return phi(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    }

    /** HF {@code gelu_new}: {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}. */
    static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + GELU_TANH_C * x * x * x)));
    }

    static double geluTanhGrad(double x) {
        double t = Math.tanh(SQRT_2_OVER_PI * (x + GELU_TANH_C * x * x * x));
        double du = SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_C * x * x);
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    static double silu(double x) {
        return x * sigmoid(x);
    }

    /** d/dx x·σ(x) = σ(x)·(1 + x·(1 - σ(x))). */
    static double siluGrad(double x) {
        double s = sigmoid(x);
        return s * (1 + x * (1 - s));
    }
}
