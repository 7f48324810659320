package dev.ibex.spi.conformance;

import dev.ibex.spi.backend.RopeSpec;
import dev.ibex.spi.tensor.Shape;
import org.junit.jupiter.api.Test;

/**
 * {@link dev.ibex.spi.backend.RopeKernels} against the reference: head sizes 16, 24 and 64, full and partial
 * rotary dimensions, linear position scaling, large and repeated positions, the inverse rotation and
 * accumulation; plus the property the backward pass relies on, that the inverse undoes the rotation.
 */
public abstract class RopeConformance extends ConformanceSupport {

    /** headDim, rotaryDim, heads, rows, positionScale×10. */
    private static final int[][] CASES = {
            {16, 16, 1, 1, 10}, {16, 16, 3, 7, 10}, {24, 24, 2, 5, 10}, {24, 8, 2, 4, 10}, {64, 64, 4, 13, 10},
            {64, 32, 2, 9, 40}, {64, 64, 1, 33, 25}, {64, 64, 2, 600, 10}};

    private int[] positions(int rows) {
        int[] p = new int[rows];
        for (int r = 0; r < rows; r++) {
            // Mostly small positions, some repeated (a batch of sequences), one far out (a long context).
            p[r] = r % 3 == 2 ? random.nextInt(40_000) : r % 5;
        }
        return p;
    }

    @Test
    void forwardInverseAndAccumulate() {
        for (int[] c : CASES) {
            int headDim = c[0];
            int heads = c[2];
            int rows = c[3];
            RopeSpec spec = RopeSpec.standard(headDim, c[1], 10_000.0, c[4] / 10f);
            String at = " headDim " + headDim + " rotary " + c[1] + " heads " + heads + " rows " + rows
                    + " scale " + spec.positionScale();
            Shape shape = Shape.of(rows, heads * headDim);
            Pair x = randomF32(shape, 1);
            Pair pos = i32(Shape.of(rows), positions(rows));
            for (boolean inverse : new boolean[] {false, true}) {
                Pair out = zeros(shape);
                reference.rope(x.ref(), pos.ref(), spec, out.ref(), inverse, false);
                backend.rope(x.dut(), pos.dut(), spec, out.dut(), inverse, false);
                assertMatches(out, 1e-6, RTOL, "rope inverse=" + inverse + at);
                Pair acc = randomF32(shape, 1);
                reference.rope(x.ref(), pos.ref(), spec, acc.ref(), inverse, true);
                backend.rope(x.dut(), pos.dut(), spec, acc.dut(), inverse, true);
                assertMatches(acc, 1e-6, RTOL, "rope accumulate inverse=" + inverse + at);
            }
        }
    }

    @Test
    void inverseUndoesTheRotation() {
        RopeSpec spec = RopeSpec.standard(24, 24, 500_000.0, 1f);
        Shape shape = Shape.of(6, 48);
        Pair x = randomF32(shape, 1);
        Pair pos = i32(Shape.of(6), new int[] {0, 1, 2, 100, 2047, 8191});
        Pair rotated = zeros(shape);
        Pair back = zeros(shape);
        backend.rope(x.dut(), pos.dut(), spec, rotated.dut(), false, false);
        backend.rope(rotated.dut(), pos.dut(), spec, back.dut(), true, false);
        assertClose(backend.toFloats(x.dut()), backend.toFloats(back.dut()), 1e-6, 1e-5, "rope⁻¹(rope(x))");
    }
}
