package dev.ibex.spi.conformance;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link dev.ibex.spi.backend.EmbeddingKernels}: lookups from F32, F16 and BF16 tables (exact: a row copy and a
 * widening conversion), the scatter-add gradient with repeated ids, and the error for an id out of range.
 */
public abstract class EmbeddingConformance extends ConformanceSupport {
    private static final int[][] SHAPES = {{1, 1}, {7, 3}, {50, 13}, {11, 65}, {300, 127}};

    private int[] ids(int n, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            // Repeats on purpose: the gradient must sum them.
            ids[i] = i % 4 == 3 ? ids[i / 2] : random.nextInt(vocab);
        }
        return ids;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void lookup(DType tableType) {
        for (int[] s : SHAPES) {
            int vocab = s[0];
            int dim = s[1];
            Pair table = weight(tableType, Shape.of(vocab, dim), normal(vocab * dim, 1));
            int n = 2 * vocab + 1;
            Pair ids = i32(Shape.of(n), ids(n, vocab));
            Pair out = zeros(Shape.of(n, dim));
            reference.embedding(ids.ref(), table.ref(), out.ref());
            backend.embedding(ids.dut(), table.dut(), out.dut());
            assertMatches(out, 0, 0, "embedding " + tableType + " [" + vocab + ", " + dim + "]");
        }
    }

    @Test
    void backwardAddsEveryOccurrence() {
        for (int[] s : SHAPES) {
            int vocab = s[0];
            int dim = s[1];
            int n = 3 * vocab + 2;
            Pair ids = i32(Shape.of(n), ids(n, vocab));
            Pair dout = randomF32(Shape.of(n, dim), 1);
            Pair dtable = randomF32(Shape.of(vocab, dim), 1);
            reference.embeddingBackward(ids.ref(), dout.ref(), dtable.ref());
            backend.embeddingBackward(ids.dut(), dout.dut(), dtable.dut());
            // The order of the additions may differ: a few roundings of O(1) values.
            assertMatchesScaled(dtable, RTOL, "embeddingBackward [" + vocab + ", " + dim + "]");
        }
    }

    @Test
    void idOutOfRangeIsNamed() {
        Pair table = weight(DType.F32, Shape.of(10, 4), normal(40, 1));
        for (int bad : new int[] {10, -1, 123456}) {
            Pair ids = i32(Shape.of(3), new int[] {0, bad, 2});
            Pair out = zeros(Shape.of(3, 4));
            var e = assertThrows(IndexOutOfBoundsException.class,
                    () -> backend.embedding(ids.dut(), table.dut(), out.dut()));
            assertTrue(String.valueOf(e.getMessage()).contains(String.valueOf(bad)),
                    "the message names the id: " + e.getMessage());
        }
    }
}
