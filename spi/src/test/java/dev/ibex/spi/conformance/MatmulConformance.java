package dev.ibex.spi.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ibex.spi.backend.AllocationScope;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.MatmulKernels;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Conformance of {@link MatmulKernels}: every product of the backend under test against {@link ReferenceMatmul}
 * on every combination of odd, prime and power-of-two sizes, F32/F16/BF16 weights, with and without bias and
 * accumulation, plus products large enough to cross any cache blocking, a long reduction, every finite 16-bit
 * weight value, infinities and NaN, and a quantized weight in a test-only format that no backend knows (so the
 * backend must take the format's reference product).
 *
 * <p>Tolerance: {@code |actual − expected| ≤ (2√K + 4)·2⁻²⁴·Σ|terms|}, with {@code Σ|terms|} the same product on
 * absolute values (plus |bias| and |y|). Round-off of F32 summation grows like √K for any reasonable order
 * (blocked, pairwise, vector lanes), and the bound is relative to the terms, not the possibly cancelling result.
 * It fails a backend that accumulates in 16 bits or TF32, or drops or repeats a term.
 *
 * <p>A backend extends this class and returns its backend from {@link #backendUnderTest()}; the kit calls it once
 * per test and does not close it. Self-contained on purpose: the only shared code is the reference backend.
 */
public abstract class MatmulConformance {
    private static final double U = 0x1p-24;
    private static final int[] M_SIZES = {1, 2, 3, 5, 17, 64, 129};
    private static final int[] KN_SIZES = {1, 7, 16, 33, 100, 257};

    private final ReferenceBackend reference = new ReferenceBackend();
    private Backend backend;
    private Arena hostMemory;
    private Random random;

    /** The backend to check; called once per test, never closed by the kit. */
    protected abstract Backend backendUnderTest();

    @BeforeEach
    void openBackend(TestInfo test) {
        backend = backendUnderTest();
        hostMemory = Arena.ofShared();
        random = new Random(test.getDisplayName().hashCode());
    }

    @AfterEach
    void releaseHostMemory() {
        hostMemory.close();
    }

    // ------------------------------------------------------------------ every shape

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16"})
    void linearMatchesReferenceOnEveryShape(DType weightType) {
        for (int m : M_SIZES) {
            for (int k : KN_SIZES) {
                for (int n : KN_SIZES) {
                    for (int flags = 0; flags < 4; flags++) {
                        checkLinear(m, k, n, weightType, (flags & 1) != 0, (flags & 2) != 0);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16"})
    void linearBackwardInputMatchesReferenceOnEveryShape(DType weightType) {
        for (int m : M_SIZES) {
            for (int k : KN_SIZES) {
                for (int n : KN_SIZES) {
                    checkBackwardInput(m, k, n, weightType);
                }
            }
        }
    }

    @Test
    void linearBackwardWeightMatchesReferenceOnEveryShape() {
        for (int m : M_SIZES) {
            for (int k : KN_SIZES) {
                for (int n : KN_SIZES) {
                    checkBackwardWeight(m, k, n);
                }
            }
        }
    }

    @Test
    void sumRowsMatchesReferenceOnEveryShape() {
        for (int m : M_SIZES) {
            for (int n : KN_SIZES) {
                try (AllocationScope scope = backend.openScope()) {
                    Pair x = random(m, n);
                    Pair out = random(1, n);
                    reference.sumRows(x.ref, out.ref);
                    backend.sumRows(x.dut, out.dut);
                    Pair mag = abs(out);
                    reference.sumRows(abs(x).ref, mag.ref);
                    assertClose("sumRows m=" + m + " n=" + n, out, mag.ref, m);
                }
            }
        }
    }

    // ------------------------------------------------------------------ sizes that cross cache blocks

    /** Tall, wide, long and decode-sized products, past any plausible blocking of M, N and K. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "BF16"})
    void productsLargerThanCacheBlocksMatchReference(DType weightType) {
        checkLinear(520, 300, 1100, weightType, true, true);
        checkLinear(400, 40, 4200, weightType, false, false);
        checkLinear(33, 700, 1100, weightType, true, false);
        checkLinear(4, 1500, 2100, weightType, true, false);
        checkBackwardInput(300, 1100, 700, weightType);
        checkBackwardInput(520, 300, 700, weightType);
        if (weightType == DType.F32) {
            checkBackwardWeight(700, 300, 1100);
        }
    }

    /** A 65536-term reduction of positive terms: F32 accumulation passes, 16-bit or TF32 accumulation does not. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "BF16"})
    void longReductionsKeepF32Accuracy(DType weightType) {
        int k = 1 << 16;
        for (int m : new int[] {1, 9}) {
            try (AllocationScope scope = backend.openScope()) {
                Pair x = pair(Shape.of(m, k), uniform(m * k, 0, 1));
                Pair w = weight(weightType, 3, k, uniform(3 * k, 0, 1));
                Pair y = nan(m, 3);
                reference.linear(x.ref, w.ref, null, y.ref, false);
                backend.linear(x.dut, w.dut, null, y.dut, false);
                assertClose("linear " + weightType + " m=" + m + " k=" + k, y, y.ref, k);
            }
        }
    }

    // ------------------------------------------------------------------ 16-bit weights, special values

    /** Every finite F16/BF16 value, through the linear path (W rows) and the backward-input path (W columns). */
    @ParameterizedTest
    @EnumSource(names = {"F16", "BF16"})
    void everyFiniteHalfPrecisionWeightDecodesExactly(DType weightType) {
        int k = 256;
        float[] values = finiteValues(weightType);
        int n = values.length / k;
        Pair w = weight(weightType, n, k, values);
        // Identity activations make each output one weight times one: exact in any summation order.
        Pair eye = pair(Shape.of(k, k), identity(k));
        Pair y = nan(k, n);
        reference.linear(eye.ref, w.ref, null, y.ref, false);
        backend.linear(eye.dut, w.dut, null, y.dut, false);
        assertClose("linear " + weightType + " identity", y, y.ref, 0);
        // Rows of four one-hot inputs reach the decode-sized path.
        for (int p = 0; p < k; p += 4) {
            float[] hot = new float[4 * k];
            for (int i = 0; i < 4; i++) {
                hot[i * k + p + i] = 1;
            }
            Pair x = pair(Shape.of(4, k), hot);
            Pair y4 = nan(4, n);
            reference.linear(x.ref, w.ref, null, y4.ref, false);
            backend.linear(x.dut, w.dut, null, y4.dut, false);
            assertClose("linear " + weightType + " one-hot at " + p, y4, y4.ref, 0);
        }
        Pair dyEye = pair(Shape.of(n, n), identity(n));
        Pair dx = pair(Shape.of(n, k), new float[n * k]);
        reference.linearBackwardInput(dyEye.ref, w.ref, dx.ref);
        backend.linearBackwardInput(dyEye.dut, w.dut, dx.dut);
        assertClose("linearBackwardInput " + weightType + " identity", dx, dx.ref, 0);
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16"})
    void infinitiesAndNaNInWeightsPropagate(DType weightType) {
        int k = 40;
        float[] values = new float[6 * k];
        Arrays.fill(values, 1);
        values[3] = Float.POSITIVE_INFINITY;
        values[k + 17] = Float.NEGATIVE_INFINITY;
        values[2 * k + 33] = Float.NaN;
        values[3 * k + 7] = Float.POSITIVE_INFINITY;
        values[3 * k + 8] = Float.NEGATIVE_INFINITY;
        Arrays.fill(values, 4 * k, 5 * k, 60000f);
        Arrays.fill(values, 5 * k, 6 * k, 1e-7f);
        Pair w = weight(weightType, 6, k, values);
        for (int m : new int[] {1, 4, 8}) {
            float[] ones = new float[m * k];
            Arrays.fill(ones, 1);
            Pair x = pair(Shape.of(m, k), ones);
            Pair y = nan(m, 6);
            Pair mag = magnitudeOfLinear(x, abs(w), null, y, false);
            reference.linear(x.ref, w.ref, null, y.ref, false);
            backend.linear(x.dut, w.dut, null, y.dut, false);
            assertClose("linear " + weightType + " m=" + m, y, mag.ref, k);
            float[] dyOnes = new float[m * 6];
            Arrays.fill(dyOnes, 1);
            Pair dy = pair(Shape.of(m, 6), dyOnes);
            Pair dx = pair(Shape.of(m, k), new float[m * k]);
            Pair dxMag = abs(dx);
            reference.linearBackwardInput(abs(dy).ref, abs(w).ref, dxMag.ref);
            reference.linearBackwardInput(dy.ref, w.ref, dx.ref);
            backend.linearBackwardInput(dy.dut, w.dut, dx.dut);
            assertClose("linearBackwardInput " + weightType + " m=" + m, dx, dxMag.ref, 6);
        }
    }

    // ------------------------------------------------------------------ quantized weights

    @Test
    void quantizedWeightsOfAnUnknownFormatUseItsReferenceProduct() {
        for (int m : new int[] {1, 3, 5, 17}) {
            for (int k : new int[] {7, 33}) {
                for (int n : new int[] {16, 100}) {
                    try (TestInt4 q = new TestInt4(n, k, random)) {
                        Tensor wRef = reference.upload(q);
                        Tensor wDut = backend.upload(q);
                        Pair dequantized = pair(Shape.of(n, k), q.dequantized());
                        for (int flags = 0; flags < 4; flags++) {
                            boolean withBias = (flags & 1) != 0;
                            boolean accumulate = (flags & 2) != 0;
                            Pair x = random(m, k);
                            Pair bias = withBias ? pair(Shape.of(n), uniform(n, -1, 1)) : null;
                            Pair y = accumulate ? random(m, n) : nan(m, n);
                            Pair mag = magnitudeOfLinear(x, abs(dequantized), bias, y, accumulate);
                            reference.linear(x.ref, wRef, bias == null ? null : bias.ref, y.ref, accumulate);
                            backend.linear(x.dut, wDut, bias == null ? null : bias.dut, y.dut, accumulate);
                            assertClose("linear test-int4 m=" + m + " k=" + k + " n=" + n + flagNames(withBias, accumulate),
                                    y, mag.ref, k);
                        }
                        Pair dy = random(m, n);
                        Pair dx = random(m, k);
                        Pair mag = abs(dx);
                        reference.linearBackwardInput(abs(dy).ref, abs(dequantized).ref, mag.ref);
                        reference.linearBackwardInput(dy.ref, wRef, dx.ref);
                        backend.linearBackwardInput(dy.dut, wDut, dx.dut);
                        assertClose("linearBackwardInput test-int4 m=" + m + " k=" + k + " n=" + n, dx, mag.ref, n);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ one product against the reference

    private void checkLinear(int m, int k, int n, DType weightType, boolean withBias, boolean accumulate) {
        try (AllocationScope scope = backend.openScope()) {
            Pair x = random(m, k);
            Pair w = weight(weightType, n, k, uniform(n * k, -1, 1));
            Pair bias = withBias ? pair(Shape.of(n), uniform(n, -1, 1)) : null;
            // Without accumulate the output starts as NaN: reading it would show.
            Pair y = accumulate ? random(m, n) : nan(m, n);
            Pair mag = magnitudeOfLinear(x, abs(w), bias, y, accumulate);
            reference.linear(x.ref, w.ref, bias == null ? null : bias.ref, y.ref, accumulate);
            backend.linear(x.dut, w.dut, bias == null ? null : bias.dut, y.dut, accumulate);
            assertClose("linear " + weightType + " m=" + m + " k=" + k + " n=" + n + flagNames(withBias, accumulate),
                    y, mag.ref, k);
        }
    }

    private void checkBackwardInput(int m, int k, int n, DType weightType) {
        try (AllocationScope scope = backend.openScope()) {
            Pair dy = random(m, n);
            Pair w = weight(weightType, n, k, uniform(n * k, -1, 1));
            Pair dx = random(m, k);
            Pair mag = abs(dx);
            reference.linearBackwardInput(abs(dy).ref, abs(w).ref, mag.ref);
            reference.linearBackwardInput(dy.ref, w.ref, dx.ref);
            backend.linearBackwardInput(dy.dut, w.dut, dx.dut);
            assertClose("linearBackwardInput " + weightType + " m=" + m + " k=" + k + " n=" + n, dx, mag.ref, n);
        }
    }

    private void checkBackwardWeight(int m, int k, int n) {
        try (AllocationScope scope = backend.openScope()) {
            Pair dy = random(m, n);
            Pair x = random(m, k);
            Pair dw = random(n, k);
            Pair mag = abs(dw);
            reference.linearBackwardWeight(abs(dy).ref, abs(x).ref, mag.ref);
            reference.linearBackwardWeight(dy.ref, x.ref, dw.ref);
            backend.linearBackwardWeight(dy.dut, x.dut, dw.dut);
            assertClose("linearBackwardWeight m=" + m + " k=" + k + " n=" + n, dw, mag.ref, m);
        }
    }

    /** {@code Σ|x||w| + |bias| (+ |y|)}, computed by the reference. */
    private Pair magnitudeOfLinear(Pair x, Pair absW, Pair bias, Pair y, boolean accumulate) {
        Pair mag = abs(y);
        reference.linear(abs(x).ref, absW.ref, bias == null ? null : abs(bias).ref, mag.ref, accumulate);
        return mag;
    }

    private static String flagNames(boolean withBias, boolean accumulate) {
        return (withBias ? " +bias" : "") + (accumulate ? " accumulate" : "");
    }

    /**
     * Compares the backend's result with the reference's, element by element: NaN and infinities must match
     * exactly, finite values within {@code (2√terms + 4)·2⁻²⁴·magnitude}; {@code terms = 0} demands equality.
     */
    private void assertClose(String what, Pair result, Tensor magnitude, int terms) {
        float[] expected = ReferenceBackend.floats(result.ref);
        float[] actual = backend.toFloats(result.dut);
        float[] mag = ReferenceBackend.floats(magnitude);
        assertEquals(expected.length, actual.length, what + ": element count");
        double factor = terms == 0 ? 0 : (2 * Math.sqrt(terms) + 4) * U;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok = Float.isFinite(e)
                    ? Math.abs((double) a - e) <= factor * mag[i]
                    : Float.compare(a, e) == 0 || (Float.isNaN(a) && Float.isNaN(e));
            if (!ok) {
                int cols = Math.toIntExact(result.ref.shape().cols());
                fail(what + ": element [" + i / cols + ", " + i % cols + "] expected " + e + " but was " + a
                        + " (tolerance " + (float) (factor * mag[i]) + ")");
            }
        }
    }

    // ------------------------------------------------------------------ operands on both backends

    /** The same values on the reference and on the backend under test; {@code values} is what both hold. */
    private record Pair(Tensor ref, Tensor dut, float[] values) {
    }

    private Pair pair(Shape shape, float[] values) {
        return new Pair(reference.fromFloats(shape, values), backend.fromFloats(shape, values), values);
    }

    private Pair random(int rows, int cols) {
        return pair(Shape.of(rows, cols), uniform(rows * cols, -1, 1));
    }

    private Pair nan(int rows, int cols) {
        float[] v = new float[rows * cols];
        Arrays.fill(v, Float.NaN);
        return pair(Shape.of(rows, cols), v);
    }

    /** A new F32 pair holding the absolute values of {@code p}'s initial values. */
    private Pair abs(Pair p) {
        float[] a = new float[p.values.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.abs(p.values[i]);
        }
        return pair(p.ref.shape(), a);
    }

    /** A weight uploaded from host memory in {@code dtype}; {@code values} are rounded to what it can hold. */
    private Pair weight(DType dtype, int n, int k, float[] values) {
        Shape shape = Shape.of(n, k);
        MemorySegment data = hostMemory.allocate((long) values.length * dtype.byteSize(), 64);
        HostTensor host = HostTensor.view(dtype, shape, data);
        for (int i = 0; i < values.length; i++) {
            host.setFloat(i, values[i]);
            values[i] = host.getFloat(i);
        }
        return new Pair(reference.upload(host), backend.upload(host), values);
    }

    private float[] uniform(int count, float from, float to) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = from + (to - from) * random.nextFloat();
        }
        return v;
    }

    private static float[] identity(int n) {
        float[] v = new float[n * n];
        for (int i = 0; i < n; i++) {
            v[i * n + i] = 1;
        }
        return v;
    }

    /** Every finite value of a 16-bit float type, in bit-pattern order. */
    private static float[] finiteValues(DType dtype) {
        float[] all = new float[1 << 16];
        int count = 0;
        for (int bits = 0; bits < 1 << 16; bits++) {
            float v = dtype == DType.F16 ? DType.f16ToFloat((short) bits) : DType.bf16ToFloat((short) bits);
            if (Float.isFinite(v)) {
                all[count++] = v;
            }
        }
        return Arrays.copyOf(all, count);
    }

    /**
     * A quantized format that exists only here, so no backend has a fused kernel for it: one signed 4-bit value
     * per weight (stored a byte each, for clarity) and one F32 scale per row.
     */
    private static final class TestInt4 implements QuantizedTensor {
        private final Shape shape;
        private final byte[] q;
        private final float[] scales;

        TestInt4(int n, int k, Random random) {
            this.shape = Shape.of(n, k);
            this.q = new byte[n * k];
            this.scales = new float[n];
            for (int i = 0; i < q.length; i++) {
                q[i] = (byte) (random.nextInt(16) - 8);
            }
            for (int j = 0; j < n; j++) {
                scales[j] = 0.01f + random.nextFloat() / 8;
            }
        }

        float[] dequantized() {
            int n = (int) shape.dim(0);
            float[] all = new float[q.length];
            dequantizeRows(0, n, all);
            return all;
        }

        @Override
        public String format() {
            return "test-int4";
        }

        @Override
        public Shape shape() {
            return shape;
        }

        @Override
        public long storageBytes() {
            return q.length / 2 + 4L * scales.length;
        }

        @Override
        public Map<String, HostTensor> parts() {
            return Map.of(
                    "weight", HostTensor.view(DType.I8, shape, MemorySegment.ofArray(q)),
                    "scale", HostTensor.view(DType.F32, Shape.of(scales.length),
                            MemorySegment.ofArray(scales)));
        }

        @Override
        public void dequantizeRows(int row, int count, float[] dst) {
            int k = (int) shape.dim(1);
            for (int r = 0; r < count; r++) {
                for (int c = 0; c < k; c++) {
                    dst[r * k + c] = q[(row + r) * k + c] * scales[row + r];
                }
            }
        }

        @Override
        public void close() {
        }
    }
}
