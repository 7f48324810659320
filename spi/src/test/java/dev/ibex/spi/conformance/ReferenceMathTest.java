package dev.ibex.spi.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The reference's error function against published values (CPython's {@code math.erf}/{@code math.erfc},
 * correctly rounded to the digits shown), and the activation derivatives against finite differences in double.
 */
class ReferenceMathTest {

    @Test
    void erfMatchesKnownValues() {
        double[][] erf = {{0.0, 0.0}, {0.1, 0.1124629160182849}, {0.25, 0.2763263901682369},
                {0.46875, 0.49261347321793797}, {0.5, 0.5204998778130465}, {1.0, 0.8427007929497149},
                {2.0, 0.9953222650189527}, {-1.0, -0.8427007929497149}, {4.5, 0.9999999998033839},
                {6.0, 1.0}};
        for (double[] c : erf) {
            assertEquals(c[1], ReferenceMath.erf(c[0]), 2e-16 + 1e-15 * Math.abs(c[1]), "erf(" + c[0] + ")");
        }
    }

    @Test
    void erfcKeepsRelativeAccuracyInTheTail() {
        double[][] erfc = {{3.0, 2.2090496998585438e-05}, {5.0, 1.5374597944280351e-12},
                {10.0, 2.088487583762545e-45}, {-1.0, 1.842700792949715}, {0.3, 0.6713732405408726},
                {27.0, 0.0}};
        for (double[] c : erfc) {
            assertEquals(c[1], ReferenceMath.erfc(c[0]), 1e-14 * Math.abs(c[1]), "erfc(" + c[0] + ")");
        }
    }

    @Test
    void geluMatchesTheDefinition() {
        // gelu(x) = x·Φ(x); Φ(1) = 0.8413447460685429, Φ(-3) = 0.0013498980316300957
        assertEquals(0.8413447460685429, ReferenceMath.gelu(1.0), 1e-15);
        assertEquals(-3 * 0.0013498980316300957, ReferenceMath.gelu(-3.0), 1e-17);
        // gelu_new(1) = 0.5·(1 + tanh(√(2/π)·1.044715)) = 0.8411919906082768
        assertEquals(0.8411919906082768, ReferenceMath.geluTanh(1.0), 1e-15);
        assertEquals(0.7310585786300049, ReferenceMath.silu(1.0), 1e-15);
    }

    @Test
    void derivativesMatchFiniteDifferences() {
        double h = 1e-5;
        for (double x = -6; x <= 6; x += 0.37) {
            assertEquals((ReferenceMath.gelu(x + h) - ReferenceMath.gelu(x - h)) / (2 * h), ReferenceMath.geluGrad(x),
                    1e-9, "gelu'(" + x + ")");
            assertEquals((ReferenceMath.geluTanh(x + h) - ReferenceMath.geluTanh(x - h)) / (2 * h),
                    ReferenceMath.geluTanhGrad(x), 1e-9, "gelu_tanh'(" + x + ")");
            assertEquals((ReferenceMath.silu(x + h) - ReferenceMath.silu(x - h)) / (2 * h), ReferenceMath.siluGrad(x),
                    1e-9, "silu'(" + x + ")");
        }
    }
}
