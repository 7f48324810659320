package dev.ibex.spi.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import dev.ibex.spi.backend.AllocationScope;
import dev.ibex.spi.backend.QuantTensor;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.Arena;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Conformance of the matmul kernels with quantized weights in the SPI's well-known layouts,
 * {@link dev.ibex.spi.quant.Blockwise4Bit} (NF4/FP4: plain and double-quantized scales, block sizes 32 to 128, rows
 * that start inside a block, odd element counts) and {@link dev.ibex.spi.quant.RowwiseInt8} (LLM.int8 with and
 * without outlier features), against {@link QuantizedTensor#referenceLinear} and
 * {@link QuantizedTensor#referenceLinearBackwardInput}. The weights are built here from random codes and scales
 * ({@link KitQuantizedWeights}), so the kit depends on no quantizer plugin; a backend's fused kernels see them only
 * through their layouts.
 *
 * <p>Decode-sized inputs (one to four rows) and GEMM-sized ones are both covered, with bias and accumulation.
 * Tolerance as in {@link MatmulConformance}: {@code (2√K + 4)·2⁻²⁴·Σ|terms|}, the terms being the effective input
 * (for LLM.int8, its int8 codes times the row scale, or the raw outlier values) times the dequantized weight.
 */
public abstract class QuantizedMatmulConformance extends ConformanceSupport {
    private static final double U = 0x1p-24;
    private static final int[] M_SIZES = {1, 3, 5, 70};
    private static final int[] K_SIZES = {7, 64, 100, 320};
    /** Output rows: kernels that take weight rows a few at a time meet every remainder (1, 3, 0, 1 mod 4). */
    private static final int[] N_SIZES = {1, 7, 16, 33};

    private Arena weights;

    @BeforeAll
    final void openWeights() {
        weights = Arena.ofShared();
    }

    @AfterAll
    final void closeWeights() {
        weights.close();
    }

    // ------------------------------------------------------------------ 4-bit

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void blockwise4BitLinearMatchesReferenceOnEveryShape(boolean doubleQuant) {
        for (int k : K_SIZES) {
            for (int n : N_SIZES) {
                for (int blockSize : n == 16 ? new int[] {32, 64, 128} : new int[] {64}) {
                    var w = new KitQuantizedWeights.Blockwise(n, k, blockSize, doubleQuant, random, weights);
                    for (int m : M_SIZES) {
                        checkLinear(w, uniform(m * k, 1), m, (m + k) % 2 == 0, m % 3 == 0, null);
                        checkBackwardInput(w, m);
                    }
                }
            }
        }
    }

    /** Long rows of many blocks (decode), and products past any cache blocking (prefill). */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void blockwise4BitLargeProductsMatchReference(boolean doubleQuant) {
        var decode = new KitQuantizedWeights.Blockwise(303, 4096, 64, doubleQuant, random, weights); // 303: a ragged last block
        for (int m = 1; m <= 4; m++) {
            checkLinear(decode, uniform(m * 4096, 1), m, true, m == 2, null);
        }
        // Tall enough for threads to share packed B blocks; K past one cache block; rows starting mid-block.
        var tall = new KitQuantizedWeights.Blockwise(200, 300, 64, doubleQuant, random, weights);
        checkLinear(tall, uniform(400 * 300, 1), 400, true, true, null);
        checkBackwardInput(tall, 400);
        var wide = new KitQuantizedWeights.Blockwise(150, 1100, 64, doubleQuant, random, weights);
        checkLinear(wide, uniform(70 * 1100, 1), 70, true, false, null);
        checkBackwardInput(wide, 70);
    }

    // ------------------------------------------------------------------ LLM.int8

    @ParameterizedTest
    @ValueSource(floats = {0f, 6f})
    void rowwiseInt8LinearMatchesReferenceOnEveryShape(float threshold) {
        for (int k : K_SIZES) {
            for (int n : N_SIZES) {
                var w = new KitQuantizedWeights.Rowwise(n, k, threshold, random, weights);
                for (int m : M_SIZES) {
                    checkLinear(w, withOutliers(m, k), m, (m + k) % 2 == 0, m % 3 == 0, w);
                    checkBackwardInput(w, m);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, 6f})
    void rowwiseInt8LargeProductsMatchReference(float threshold) {
        var decode = new KitQuantizedWeights.Rowwise(302, 4096, threshold, random, weights); // 302: a ragged last block
        for (int m = 1; m <= 4; m++) {
            checkLinear(decode, withOutliers(m, 4096), m, true, m == 2, decode);
        }
        var tall = new KitQuantizedWeights.Rowwise(200, 300, threshold, random, weights);
        checkLinear(tall, withOutliers(400, 300), 400, true, true, tall);
        checkBackwardInput(tall, 400);
        var wide = new KitQuantizedWeights.Rowwise(150, 1100, threshold, random, weights);
        checkLinear(wide, withOutliers(70, 1100), 70, true, false, wide);
        checkBackwardInput(wide, 70);
    }

    /** The outlier split depends on every row of the call: a row with no outlier of its own still loses a column. */
    @Test
    void int8OutlierColumnsAreSharedByAllRows() {
        var w = new KitQuantizedWeights.Rowwise(40, 96, 6f, random, weights);
        float[] x = uniform(5 * 96, 1);
        x[2 * 96 + 11] = 9f; // only row 2 is an outlier in column 11
        checkLinear(w, x, 5, false, false, w);
        checkLinear(w, Arrays.copyOf(x, 96), 1, false, false, w);
    }

    // ------------------------------------------------------------------ one product against the reference

    /** Inputs in [-3, 3) with a few values past the LLM.int8 threshold in fixed columns. */
    private float[] withOutliers(int m, int k) {
        float[] x = uniform(m * k, 3);
        for (int i = 0; i < m; i++) {
            if (i % 2 == 0) {
                x[i * k + (7 * i + 3) % k] = 8f + i;
            }
            x[i * k + k / 2] = -6f; // exactly the threshold counts
        }
        return x;
    }

    private void checkLinear(QuantizedTensor w, float[] xv, int m, boolean withBias, boolean accumulate,
                             KitQuantizedWeights.Rowwise int8) {
        int n = w.shape().intDim(0);
        int k = w.shape().intDim(1);
        String what = "linear " + w.format() + " m=" + m + " k=" + k + " n=" + n + (withBias ? " +bias" : "")
                + (accumulate ? " accumulate" : "");
        try (AllocationScope scope = backend.openScope()) {
            QuantTensor wRef = reference.upload(w);
            QuantTensor wDut = backend.upload(w);
            float[] bias = withBias ? uniform(n, 1) : null;
            float[] y0 = accumulate ? uniform(m * n, 1) : nans(m * n);
            Pair x = f32(Shape.of(m, k), xv);
            Pair b = bias == null ? null : f32(Shape.of(n), bias);
            Pair y = f32(Shape.of(m, n), y0);
            reference.linear(x.ref(), wRef, b == null ? null : b.ref(), y.ref(), accumulate);
            backend.linear(x.dut(), wDut, b == null ? null : b.dut(), y.dut(), accumulate);
            float[] effective = int8 == null ? xv : int8.effectiveInput(xv, m);
            double[] magnitude = magnitude(w, effective, m, bias, accumulate ? y0 : null);
            check(what, reference.toFloats(y.ref()), backend.toFloats(y.dut()), magnitude, k);
        }
    }

    private void checkBackwardInput(QuantizedTensor w, int m) {
        int n = w.shape().intDim(0);
        int k = w.shape().intDim(1);
        try (AllocationScope scope = backend.openScope()) {
            Tensor wRef = reference.upload(w);
            Tensor wDut = backend.upload(w);
            float[] dyv = uniform(m * n, 1);
            float[] dx0 = uniform(m * k, 1);
            Pair dy = f32(Shape.of(m, n), dyv);
            Pair dx = f32(Shape.of(m, k), dx0);
            reference.linearBackwardInput(dy.ref(), wRef, dx.ref());
            backend.linearBackwardInput(dy.dut(), wDut, dx.dut());
            // Σ_j |dy[i, j]|·|Ŵ[j, c]| + |dx0[i, c]|
            float[] dense = new float[n * k];
            w.dequantizeRows(0, n, dense);
            double[] magnitude = new double[m * k];
            for (int i = 0; i < m; i++) {
                for (int c = 0; c < k; c++) {
                    double s = Math.abs(dx0[i * k + c]);
                    for (int j = 0; j < n; j++) {
                        s += Math.abs((double) dyv[i * n + j] * dense[j * k + c]);
                    }
                    magnitude[i * k + c] = s;
                }
            }
            check("linearBackwardInput " + w.format() + " m=" + m + " k=" + k + " n=" + n,
                    reference.toFloats(dx.ref()), backend.toFloats(dx.dut()), magnitude, n);
        }
    }

    /** {@code Σ_c |x[i, c]|·|Ŵ[j, c]| + |bias[j]| + |y0[i, j]|}. */
    private static double[] magnitude(QuantizedTensor w, float[] x, int m, float[] bias, float[] y0) {
        int n = w.shape().intDim(0);
        int k = w.shape().intDim(1);
        float[] row = new float[k];
        double[] out = new double[m * n];
        for (int j = 0; j < n; j++) {
            w.dequantizeRows(j, 1, row);
            for (int i = 0; i < m; i++) {
                double s = (bias == null ? 0 : Math.abs(bias[j])) + (y0 == null ? 0 : Math.abs(y0[i * n + j]));
                for (int c = 0; c < k; c++) {
                    s += Math.abs((double) x[i * k + c] * row[c]);
                }
                out[i * n + j] = s;
            }
        }
        return out;
    }

    private static void check(String what, float[] expected, float[] actual, double[] magnitude, int terms) {
        double factor = (2 * Math.sqrt(terms) + 4) * U;
        for (int i = 0; i < expected.length; i++) {
            double tolerance = factor * magnitude[i];
            if (!(Math.abs((double) actual[i] - expected[i]) <= tolerance)) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]
                        + " (tolerance " + (float) tolerance + ")");
            }
        }
    }

    private static float[] nans(int n) {
        float[] v = new float[n];
        Arrays.fill(v, Float.NaN);
        return v;
    }
}
