package dev.ibex.spi.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.backend.Activation;
import dev.ibex.spi.backend.DropoutMask;
import dev.ibex.spi.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link dev.ibex.spi.backend.ElementwiseKernels} against the reference, on sizes that leave every vector-tail
 * length: F32 arithmetic to the last rounding, activations to {@link #RTOL}, backward kernels accumulating onto
 * non-zero gradients, and dropout masks that equal {@link DropoutMask}'s exactly.
 */
public abstract class ElementwiseConformance extends ConformanceSupport {
    /**
     * Column counts covering vector tails of every length, and rows to go with them; the last is large enough for
     * a multi-threaded backend to split it.
     */
    private static final int[][] SHAPES = {
            {1, 1}, {1, 3}, {2, 7}, {3, 13}, {5, 33}, {1, 65}, {4, 127}, {37, 211}, {300, 257}};

    @Test
    void addMulScaleAxpy() {
        for (int[] s : SHAPES) {
            Shape shape = Shape.of(s[0], s[1]);
            String at = " " + shape;
            Pair a = randomF32(shape, 1);
            Pair b = randomF32(shape, 1);
            Pair out = zeros(shape);
            reference.add(a.ref(), b.ref(), out.ref());
            backend.add(a.dut(), b.dut(), out.dut());
            assertMatches(out, 0, 0, "add" + at);
            reference.mul(a.ref(), b.ref(), out.ref());
            backend.mul(a.dut(), b.dut(), out.dut());
            assertMatches(out, 0, 0, "mul" + at);
            reference.scale(a.ref(), -0.37f, out.ref());
            backend.scale(a.dut(), -0.37f, out.dut());
            assertMatches(out, 0, 0, "scale" + at);
            reference.scale(a.ref(), 3f, a.ref());
            backend.scale(a.dut(), 3f, a.dut());
            assertMatches(a, 0, 0, "scale in place" + at);
            // y + alpha·x may be fused on the device: one rounding of alpha·x allowed.
            reference.axpy(0.71f, a.ref(), b.ref());
            backend.axpy(0.71f, a.dut(), b.dut());
            assertMatches(b, 1e-6, 1e-6, "axpy" + at);
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationForward(Activation f) {
        for (int[] s : SHAPES) {
            Shape shape = Shape.of(s[0], s[1]);
            float[] x = normal(Math.toIntExact(shape.numel()), 3);
            x[0] = 0f; // ReLU's kink and every function's fixed point
            Pair in = f32(shape, x);
            Pair out = zeros(shape);
            reference.activation(f, in.ref(), out.ref());
            backend.activation(f, in.dut(), out.dut());
            assertMatches(out, 1e-6, RTOL, f + " " + shape);
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationOnWideRange(Activation f) {
        // Both tails: exp overflow in SiLU, erfc underflow in GELU, tanh saturation.
        int n = 401;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -100f + i * 0.5f;
        }
        Pair in = f32(Shape.of(n), x);
        Pair out = zeros(Shape.of(n));
        reference.activation(f, in.ref(), out.ref());
        backend.activation(f, in.dut(), out.dut());
        assertMatches(out, 1e-6, RTOL, f + " on [-100, 100]");
        Pair dy = f32(Shape.of(n), uniform(n, 1));
        Pair dx = zeros(Shape.of(n));
        reference.activationBackward(f, in.ref(), dy.ref(), dx.ref());
        backend.activationBackward(f, in.dut(), dy.dut(), dx.dut());
        assertMatches(dx, 1e-6, RTOL, f + "' on [-100, 100]");
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationBackwardAccumulates(Activation f) {
        for (int[] s : SHAPES) {
            Shape shape = Shape.of(s[0], s[1]);
            Pair x = randomF32(shape, 3);
            Pair dy = randomF32(shape, 1);
            Pair dx = randomF32(shape, 1);
            reference.activationBackward(f, x.ref(), dy.ref(), dx.ref());
            backend.activationBackward(f, x.dut(), dy.dut(), dx.dut());
            assertMatches(dx, 1e-6, RTOL, f + "' " + shape);
        }
    }

    @Test
    void swigluAndItsGradients() {
        for (int[] s : SHAPES) {
            Shape shape = Shape.of(s[0], s[1]);
            Pair gate = randomF32(shape, 3);
            Pair up = randomF32(shape, 1);
            Pair out = zeros(shape);
            reference.swiglu(gate.ref(), up.ref(), out.ref());
            backend.swiglu(gate.dut(), up.dut(), out.dut());
            assertMatches(out, 1e-6, RTOL, "swiglu " + shape);
            Pair dy = randomF32(shape, 1);
            Pair dgate = randomF32(shape, 1);
            Pair dup = randomF32(shape, 1);
            reference.swigluBackward(gate.ref(), up.ref(), dy.ref(), dgate.ref(), dup.ref());
            backend.swigluBackward(gate.dut(), up.dut(), dy.dut(), dgate.dut(), dup.dut());
            assertMatches(dgate, 1e-6, RTOL, "swiglu dgate " + shape);
            assertMatches(dup, 1e-6, RTOL, "swiglu dup " + shape);
            // Either gradient may be skipped.
            reference.swigluBackward(gate.ref(), up.ref(), dy.ref(), null, dup.ref());
            backend.swigluBackward(gate.dut(), up.dut(), dy.dut(), null, dup.dut());
            assertMatches(dup, 1e-6, RTOL, "swiglu dup only " + shape);
            reference.swigluBackward(gate.ref(), up.ref(), dy.ref(), dgate.ref(), null);
            backend.swigluBackward(gate.dut(), up.dut(), dy.dut(), dgate.dut(), null);
            assertMatches(dgate, 1e-6, RTOL, "swiglu dgate only " + shape);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void copyColumns(boolean accumulate) {
        int[][] cases = {{1, 5, 0, 5}, {3, 13, 4, 7}, {7, 96, 32, 33}, {2, 200, 131, 65}};
        for (int[] c : cases) {
            int rows = c[0];
            int srcCols = c[1];
            int srcCol = c[2];
            int count = c[3];
            int dstCols = count + 11;
            Pair src = randomF32(Shape.of(rows, srcCols), 1);
            Pair dst = randomF32(Shape.of(rows, dstCols), 1);
            reference.copyColumns(src.ref(), srcCol, dst.ref(), 3, count, accumulate);
            backend.copyColumns(src.dut(), srcCol, dst.dut(), 3, count, accumulate);
            assertMatches(dst, 0, 0, "copyColumns " + java.util.Arrays.toString(c) + " accumulate " + accumulate);
        }
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, 0.1f, 0.5f, 0.9f, 1f})
    void dropoutUsesTheSharedMask(float p) {
        Shape shape = Shape.of(31, 67);
        int n = 31 * 67;
        long seed = 0x5EEDL * 31 + Float.floatToIntBits(p);
        Pair x = randomF32(shape, 1);
        Pair out = zeros(shape);
        reference.dropout(x.ref(), p, seed, out.ref());
        backend.dropout(x.dut(), p, seed, out.dut());
        assertMatches(out, 0, 0, "dropout p=" + p);
        float[] xs = reference.toFloats(x.ref());
        float[] ys = backend.toFloats(out.dut());
        int kept = 0;
        for (int i = 0; i < n; i++) {
            boolean keep = DropoutMask.keep(seed, i, p);
            assertEquals(keep ? xs[i] * DropoutMask.scale(p) : 0f, ys[i], "element " + i);
            kept += keep ? 1 : 0;
        }
        // Binomial(n, 1-p): within 5 standard deviations.
        double sd = Math.sqrt(n * p * (1 - p));
        assertTrue(Math.abs(kept - n * (1 - p)) <= 5 * sd + 1e-9, kept + " of " + n + " kept at p=" + p);
    }

    @Test
    void dropoutIsAPureFunctionOfSeedAndIndex() {
        Pair x = randomF32(Shape.of(4, 33), 1);
        Pair a = zeros(Shape.of(4, 33));
        Pair b = zeros(Shape.of(4, 33));
        backend.dropout(x.dut(), 0.3f, 99, a.dut());
        backend.dropout(x.dut(), 0.3f, 99, b.dut());
        assertArrayEquals(backend.toFloats(a.dut()), backend.toFloats(b.dut()), "same seed, same mask");
        backend.dropout(x.dut(), 0.3f, 100, b.dut());
        assertTrue(!java.util.Arrays.equals(backend.toFloats(a.dut()), backend.toFloats(b.dut())),
                "another seed, another mask");
    }
}
