package dev.ibex.spi.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Central finite differences, in double, of a scalar function of an F32 array: the independent check of every
 * analytic gradient in the kit. The function is usually {@code Σ c_i·y_i} over a kernel's outputs with fixed
 * random weights {@code c}, so its gradient is exactly what a backward kernel computes from {@code dy = c}.
 */
final class FiniteDifferences {
    private FiniteDifferences() {
    }

    /**
     * {@code ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h} for every i, where the perturbed value is rounded to F32
     * and the actual step (not the nominal h) divides, so the rounding of {@code x_i ± h} costs nothing.
     */
    static double[] gradient(float[] x, ToDoubleFunction<float[]> f, double h) {
        double[] g = new double[x.length];
        float[] probe = x.clone();
        for (int i = 0; i < x.length; i++) {
            float up = (float) (x[i] + h);
            float down = (float) (x[i] - h);
            probe[i] = up;
            double fUp = f.applyAsDouble(probe);
            probe[i] = down;
            double fDown = f.applyAsDouble(probe);
            probe[i] = x[i];
            g[i] = (fUp - fDown) / ((double) up - down);
        }
        return g;
    }

    /** {@code Σ c_i·y_i} in double. */
    static double dot(double[] c, float[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += c[i] * y[i];
        }
        return s;
    }

    /**
     * Asserts {@code |analytic_i − numeric_i| ≤ tol·max(1, max|numeric|)} for every i: the finite differences of
     * an F32 computation carry an absolute noise of about {@code ulp(f)/h}, so the bound is relative to the
     * gradient's scale, not to each element.
     */
    static void assertGradient(float[] analytic, double[] numeric, double tol, String what) {
        double scale = 1;
        for (double v : numeric) {
            scale = Math.max(scale, Math.abs(v));
        }
        double worst = 0;
        int at = -1;
        for (int i = 0; i < numeric.length; i++) {
            double err = Math.abs(analytic[i] - numeric[i]);
            if (err > worst || Double.isNaN(err)) {
                worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
                at = i;
            }
        }
        if (worst > tol * scale) {
            fail(String.format(Locale.ROOT, "%s: analytic and numeric gradients differ by %.3e at [%d] "
                            + "(analytic %s, numeric %s; allowed %.1e)", what, worst, at, analytic[at], numeric[at],
                    tol * scale));
        }
    }
}
