package dev.ibex.spi.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ibex.spi.tensor.Shape;
import org.junit.jupiter.api.Test;

/**
 * {@link dev.ibex.spi.backend.LossKernels#crossEntropy}: the summed loss (to a relative 1e-6), the gradient
 * added into {@code dlogits} (scaled, accumulated, skipped for ignored rows), large logits, vocabularies that
 * leave every vector tail, and labels out of range.
 */
public abstract class LossConformance extends ConformanceSupport {
    private static final int IGNORE = -100;
    private static final int[][] SHAPES = {{1, 1}, {3, 2}, {5, 7}, {4, 33}, {9, 127}, {6, 1000}, {2, 5003}, {64, 1000}};

    private int[] labels(int rows, int vocab) {
        int[] labels = new int[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = r % 3 == 1 ? IGNORE : random.nextInt(vocab);
        }
        return labels;
    }

    @Test
    void lossAndGradient() {
        for (int[] s : SHAPES) {
            int rows = s[0];
            int vocab = s[1];
            for (double sigma : new double[] {1, 30}) {
                String at = " [" + rows + ", " + vocab + "] sigma " + sigma;
                Pair logits = randomF32(Shape.of(rows, vocab), sigma);
                Pair labels = i32(Shape.of(rows), labels(rows, vocab));
                Pair dlogits = randomF32(Shape.of(rows, vocab), 1);
                double expected = reference.crossEntropy(logits.ref(), labels.ref(), IGNORE, dlogits.ref(), 0.37f);
                double actual = backend.crossEntropy(logits.dut(), labels.dut(), IGNORE, dlogits.dut(), 0.37f);
                assertEquals(expected, actual, 1e-6 * Math.max(1, Math.abs(expected)), "loss" + at);
                assertMatches(dlogits, 1e-6, RTOL, "dlogits" + at);
                double lossOnly = backend.crossEntropy(logits.dut(), labels.dut(), IGNORE, null, 1f);
                assertEquals(expected, lossOnly, 1e-6 * Math.max(1, Math.abs(expected)), "loss without dlogits" + at);
            }
        }
    }

    @Test
    void everyRowIgnoredGivesZero() {
        Pair logits = randomF32(Shape.of(3, 11), 1);
        Pair labels = i32(Shape.of(3), new int[] {IGNORE, IGNORE, IGNORE});
        Pair dlogits = zeros(Shape.of(3, 11));
        assertEquals(0.0, backend.crossEntropy(logits.dut(), labels.dut(), IGNORE, dlogits.dut(), 1f));
        assertClose(new float[33], backend.toFloats(dlogits.dut()), 0, 0, "no gradient for ignored rows");
    }

    @Test
    void labelOutOfRangeThrows() {
        Pair logits = randomF32(Shape.of(2, 11), 1);
        for (int bad : new int[] {11, -1}) {
            Pair labels = i32(Shape.of(2), new int[] {3, bad});
            assertThrows(IndexOutOfBoundsException.class,
                    () -> backend.crossEntropy(logits.dut(), labels.dut(), IGNORE, null, 1f));
        }
    }
}
