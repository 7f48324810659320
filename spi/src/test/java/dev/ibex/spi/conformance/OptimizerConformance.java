package dev.ibex.spi.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ibex.spi.backend.AdamWStep;
import dev.ibex.spi.tensor.Shape;
import org.junit.jupiter.api.Test;

/**
 * {@link dev.ibex.spi.backend.OptimizerKernels}: several AdamW steps (with and without weight decay, gradients
 * spanning orders of magnitude) matching the reference's F32 arithmetic to 1e-6 relative, and the sum of squares
 * to 1e-6 relative.
 */
public abstract class OptimizerConformance extends ConformanceSupport {
    private static final int[] SIZES = {1, 3, 7, 13, 33, 65, 127, 4099, 40_000};

    @Test
    void adamwSteps() {
        for (int n : SIZES) {
            for (double wd : new double[] {0.0, 0.01}) {
                Shape shape = Shape.of(n);
                Pair p = randomF32(shape, 0.1);
                Pair m = zeros(shape);
                Pair v = zeros(shape);
                for (long t = 1; t <= 3; t++) {
                    float[] g = normal(n, 1);
                    for (int i = 0; i < n; i++) {
                        g[i] *= (float) Math.pow(10, (i % 7) - 4); // 1e-4 .. 1e2
                    }
                    Pair grad = f32(shape, g);
                    AdamWStep step = AdamWStep.of(1e-3, 0.9, 0.999, 1e-8, wd, t);
                    reference.adamw(p.ref(), grad.ref(), m.ref(), v.ref(), step);
                    backend.adamw(p.dut(), grad.dut(), m.dut(), v.dut(), step);
                    String at = " n " + n + " wd " + wd + " step " + t;
                    assertMatches(p, 0, 1e-6, "param" + at);
                    assertMatches(m, 0, 1e-6, "exp_avg" + at);
                    assertMatches(v, 0, 1e-6, "exp_avg_sq" + at);
                }
            }
        }
    }

    @Test
    void sumOfSquares() {
        for (int n : new int[] {1, 7, 33, 1000, 100_003}) {
            Pair x = randomF32(Shape.of(n), 3);
            double expected = reference.sumOfSquares(x.ref());
            assertEquals(expected, backend.sumOfSquares(x.dut()), 1e-6 * expected, "sum of squares of " + n);
        }
    }
}
