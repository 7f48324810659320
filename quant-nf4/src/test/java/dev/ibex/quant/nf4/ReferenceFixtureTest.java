package dev.ibex.quant.nf4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ibex.spi.conformance.RawFixture;
import dev.ibex.spi.quant.QuantOptions;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.ValueLayout;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Quantization against the independent Python implementation of bitsandbytes' published algorithm
 * ({@code tools/quant-reference/generate.py}): normal and heavy-tailed (Student-t) weights, NF4 and FP4, with and
 * without double quantization, F32 and BF16 checkpoints, and an odd element count. Everything is compared exactly:
 * both sides do the same float32 operations, so any difference is a difference in the algorithm.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferenceFixtureTest {
    private static RawFixture fixture(String name) {
        return RawFixture.of(p -> ReferenceFixtureTest.class.getResourceAsStream(p), name);
    }

    private final RootAllocator allocator = new RootAllocator();
    private final Nf4QuantizerProvider provider = new Nf4QuantizerProvider();

    @AfterAll
    void close() {
        allocator.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"normal_bf16_nf4_dq", "student_t_f32_nf4", "student_t_f32_fp4_dq", "odd_f32_nf4_dq"})
    void quantizeAndDequantizeMatchTheReference(String name) {
        RawFixture f = fixture(name);
        int rows = f.integer("rows");
        int cols = f.integer("cols");
        boolean bf16 = name.contains("bf16");
        boolean dq = Boolean.parseBoolean(f.meta().get("double_quant"));
        String type = f.meta().get("type");
        HostTensor weight = f.tensor(bf16 ? "weight.bf16" : "weight.f32", bf16 ? DType.BF16 : DType.F32,
                Shape.of(rows, cols));
        try (QuantizedTensor q = provider.quantize(weight, new QuantOptions(type, 64, dq, DType.BF16, 0f), allocator)) {
            assertArrayEquals(f.bytes("packed.u8"), bytes(q.parts().get("weight")), name + ": packed codes");
            if (dq) {
                assertArrayEquals(f.bytes("absmax_codes.u8"), bytes(q.parts().get("weight.absmax")),
                        name + ": absmax codes");
                assertArrayEquals(f.floats("nested_absmax"), q.parts().get("weight.nested_absmax").toFloatArray(),
                        name + ": nested absmax");
                assertEquals(Float.parseFloat(f.meta().get("offset")), ((Nf4Tensor) q).state().nestedOffset(),
                        name + ": offset");
            } else {
                assertArrayEquals(f.floats("absmax"), q.parts().get("weight.absmax").toFloatArray(), name + ": absmax");
            }
            float[] dequantized = new float[rows * cols];
            q.dequantizeRows(0, rows, dequantized);
            assertArrayEquals(f.floats("dequantized"), dequantized, name + ": dequantize(quantize(w))");
            // Row by row gives the same values as all at once (block boundaries inside rows included).
            float[] row = new float[cols];
            for (int r = 0; r < rows; r++) {
                q.dequantizeRows(r, 1, row);
                for (int c = 0; c < cols; c++) {
                    assertEquals(dequantized[r * cols + c], row[c], name + " row " + r);
                }
            }
        }
    }

    private static byte[] bytes(HostTensor t) {
        return t.data().toArray(ValueLayout.JAVA_BYTE);
    }
}
