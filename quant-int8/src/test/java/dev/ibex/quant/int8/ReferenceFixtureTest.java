package dev.ibex.quant.int8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.conformance.RawFixture;
import dev.ibex.spi.quant.QuantOptions;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * LLM.int8 against the independent Python implementation of bitsandbytes' algorithm
 * ({@code tools/quant-reference/generate.py}): the weight codes and scales bit for bit, and the mixed-precision
 * product with the outlier threshold at 6 (three outlier features, one exactly at the threshold, a row with only
 * outliers) and at 0 (plain int8).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferenceFixtureTest {
    private static RawFixture fixture(String name) {
        return RawFixture.of(p -> ReferenceFixtureTest.class.getResourceAsStream(p), name);
    }

    private final RootAllocator allocator = new RootAllocator();
    private final RawFixture fixture = fixture("llm_int8");
    private final int rows = fixture.integer("rows");
    private final int cols = fixture.integer("cols");
    private final int m = fixture.integer("m");
    private final HostTensor weight = fixture.tensor("weight.f32", DType.F32, Shape.of(rows, cols));

    @AfterAll
    void close() {
        allocator.close();
    }

    private QuantizedTensor quantize(float threshold) {
        return new Int8QuantizerProvider().quantize(weight, QuantOptions.int8(threshold), allocator);
    }

    @Test
    void weightCodesAndScalesMatchTheReference() {
        try (QuantizedTensor q = quantize(6f)) {
            assertArrayEquals(fixture.bytes("cb.i8"), q.parts().get("weight").data().toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(fixture.floats("scb"), q.parts().get("SCB").toFloatArray());
        }
    }

    @Test
    void outlierFeaturesAreTheColumnsReachingTheThreshold() {
        LlmInt8.Input in = LlmInt8.quantizeInput(fixture.floats("x"), m, cols, 6f);
        List<Integer> outliers = new ArrayList<>();
        for (int c = 0; c < cols; c++) {
            if (in.outlier()[c]) {
                outliers.add(c);
            }
        }
        assertEquals(fixture.meta().get("outlier_columns"), String.join(",", outliers.stream().map(String::valueOf).toList()));
        assertEquals(0f, in.scales()[4], "a row of outliers only has nothing left to scale");
        assertTrue(Arrays.stream(in.codes(), 4 * cols, 5 * cols).allMatch(c -> c == 0));
    }

    @Test
    void mixedPrecisionProductMatchesTheReference() {
        for (float threshold : new float[] {6f, 0f}) {
            try (QuantizedTensor q = quantize(threshold)) {
                float[] y = new float[m * rows];
                q.referenceLinear(fixture.floats("x"), m, y, false);
                float[] expected = fixture.floats(threshold > 0 ? "y_threshold6" : "y_threshold0");
                for (int i = 0; i < y.length; i++) {
                    assertEquals(expected[i], y[i], 1e-6f * (1 + Math.abs(expected[i])),
                            "threshold " + threshold + " y[" + i + "]");
                }
            }
        }
    }

    /** The decomposition is not the same as multiplying by the dequantized weight: plain int8 loses more. */
    @Test
    void outliersKeepTheirPrecision() {
        float[] x = fixture.floats("x");
        float[] exact = new float[m * rows];
        try (QuantizedTensor q = quantize(6f)) {
            float[] w = new float[rows * cols];
            q.dequantizeRows(0, rows, w);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < rows; j++) {
                    double acc = 0;
                    for (int c = 0; c < cols; c++) {
                        acc += (double) x[i * cols + c] * w[j * cols + c];
                    }
                    exact[i * rows + j] = (float) acc;
                }
            }
        }
        double err6 = error(fixture.floats("y_threshold6"), exact);
        double err0 = error(fixture.floats("y_threshold0"), exact);
        assertTrue(err6 < err0 / 2, "threshold 6 error " + err6 + " vs plain int8 " + err0);
    }

    private static double error(float[] a, float[] b) {
        double e = 0;
        for (int i = 0; i < a.length; i++) {
            e += Math.abs(a[i] - b[i]);
        }
        return e;
    }
}
