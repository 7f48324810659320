package dev.ibex.quant.int8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.conformance.RawFixture;
import dev.ibex.spi.quant.QuantOptions;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.quant.RowwiseInt8;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The tensors an int8 weight saves (bitsandbytes' {@code Linear8bitLt} names) and loading them back. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SerializationTest {
    private static RawFixture fixture(String name) {
        return RawFixture.of(p -> SerializationTest.class.getResourceAsStream(p), name);
    }

    private final RootAllocator allocator = new RootAllocator();
    private final Int8QuantizerProvider provider = new Int8QuantizerProvider();
    private final HostTensor weight = fixture("llm_int8").tensor("weight.f32", DType.F32, Shape.of(48, 96));

    @AfterAll
    void close() {
        allocator.close();
    }

    @Test
    void partsAreWeightScbAndWeightFormat() {
        try (QuantizedTensor q = provider.quantize(weight, QuantOptions.int8(6f), allocator)) {
            assertEquals(List.of("weight", "SCB", "weight_format"), List.copyOf(q.parts().keySet()));
            assertEquals(DType.I8, q.parts().get("weight").dtype());
            assertEquals(Shape.of(48, 96), q.parts().get("weight").shape());
            assertEquals(DType.F32, q.parts().get("SCB").dtype());
            assertEquals(Shape.of(48), q.parts().get("SCB").shape());
            assertEquals(DType.U8, q.parts().get("weight_format").dtype());
            assertEquals(0, q.parts().get("weight_format").shape().rank());
            assertEquals(0, q.parts().get("weight_format").getLong(0));
            // 8 bits per weight, one F32 scale per row of 96, and the format byte
            assertEquals(48 * 96 + 4 * 48 + 1, q.storageBytes());
            assertEquals(8 + 32.0 / 96 + 8.0 / (48 * 96), q.bitsPerWeight(), 1e-12);
        }
    }

    @Test
    void loadingGivesTheSameWeightWithTheRequestedThreshold() {
        try (QuantizedTensor q = provider.quantize(weight, QuantOptions.int8(6f), allocator)) {
            QuantizedTensor plain = provider.load(q.parts(), QuantOptions.int8(0f), allocator);
            QuantizedTensor byDefault = provider.load(q.parts(), allocator);
            assertEquals(0f, plain.layout(RowwiseInt8.class).orElseThrow().threshold());
            assertEquals(6f, byDefault.layout(RowwiseInt8.class).orElseThrow().threshold(), "transformers' default");
            float[] a = new float[48 * 96];
            float[] b = new float[48 * 96];
            q.dequantizeRows(0, 48, a);
            plain.dequantizeRows(0, 48, b);
            assertArrayEquals(a, b);
        }
    }

    @Test
    void loadIgnoresOtherFormatsAndRejectsOtherLayouts() {
        try (QuantizedTensor q = provider.quantize(weight, QuantOptions.int8(6f), allocator);
             HostTensor colTuring = HostTensor.allocate(allocator, DType.U8, Shape.of())) {
            assertNull(provider.load(Map.of("weight", q.parts().get("weight")), allocator));
            colTuring.data().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 2);
            Map<String, HostTensor> parts = new LinkedHashMap<>(q.parts());
            parts.put("weight_format", colTuring);
            IbexException e = assertThrows(IbexException.class, () -> provider.load(parts, allocator));
            assertTrue(e.getMessage().contains("weight_format 2 is not 0 (row-major)"), e.getMessage());
        }
    }

    @Test
    void anAllZeroRowHasScaleZeroAndZeroCodes() {
        try (QuantizedTensor q = provider.quantize(weight, QuantOptions.int8(6f), allocator)) {
            assertEquals(0f, q.parts().get("SCB").getFloat(9));
            float[] row = new float[96];
            q.dequantizeRows(9, 1, row);
            assertArrayEquals(new float[96], row);
        }
    }
}
