package dev.ibex.quant.nf4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.conformance.RawFixture;
import dev.ibex.spi.quant.Blockwise4Bit;
import dev.ibex.spi.quant.QuantOptions;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The parts a 4-bit weight saves, under bitsandbytes' names, and loading them back. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SerializationTest {
    private static RawFixture fixture(String name) {
        return RawFixture.of(p -> SerializationTest.class.getResourceAsStream(p), name);
    }

    private final RootAllocator allocator = new RootAllocator();
    private final Nf4QuantizerProvider provider = new Nf4QuantizerProvider();
    private final RawFixture fixture = fixture("normal_bf16_nf4_dq");
    private final HostTensor weight = fixture.tensor("weight.bf16", DType.BF16, Shape.of(64, 320));

    @AfterAll
    void close() {
        allocator.close();
    }

    private QuantizedTensor quantize(boolean doubleQuant) {
        return provider.quantize(weight, QuantOptions.nf4(doubleQuant), allocator);
    }

    /** transformers saves {@code <module>.weight} plus {@code <module>.weight.<quant state key>} for each key. */
    @Test
    void partsAreTheTensorsBitsandbytesSaves() {
        try (QuantizedTensor q = quantize(true)) {
            Map<String, HostTensor> parts = q.parts();
            assertEquals(List.of("weight", "weight.absmax", "weight.quant_map", "weight.nested_absmax",
                    "weight.nested_quant_map", "weight.quant_state.bitsandbytes__nf4"), List.copyOf(parts.keySet()));
            check(parts.get("weight"), DType.U8, 64 * 320 / 2, 1);
            check(parts.get("weight.absmax"), DType.U8, 320);
            check(parts.get("weight.quant_map"), DType.F32, 16);
            check(parts.get("weight.nested_absmax"), DType.F32, 2);
            check(parts.get("weight.nested_quant_map"), DType.F32, 256);
            assertArrayEquals(Codebooks.NF4, parts.get("weight.quant_map").toFloatArray());
            assertArrayEquals(Codebooks.dynamicMap(), parts.get("weight.nested_quant_map").toFloatArray());
        }
        try (QuantizedTensor q = quantize(false)) {
            assertEquals(List.of("weight", "weight.absmax", "weight.quant_map", "weight.quant_state.bitsandbytes__nf4"),
                    List.copyOf(q.parts().keySet()));
            check(q.parts().get("weight.absmax"), DType.F32, 320);
        }
    }

    /** The JSON text Python's json.dumps writes for bitsandbytes' dict (from the reference script). */
    @Test
    void quantStateIsTheJsonBitsandbytesWrites() {
        try (QuantizedTensor q = quantize(true)) {
            HostTensor state = q.parts().get("weight.quant_state.bitsandbytes__nf4");
            assertEquals(DType.U8, state.dtype());
            String json = new String(state.data().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            assertEquals(fixture.meta().get("quant_state"), json);
        }
    }

    @Test
    void loadingThePartsGivesTheSameWeight() {
        for (boolean dq : new boolean[] {true, false}) {
            try (QuantizedTensor q = quantize(dq)) {
                QuantizedTensor loaded = provider.load(q.parts(), allocator);
                assertEquals("nf4", loaded.format());
                assertEquals(q.shape(), loaded.shape());
                assertEquals(q.storageBytes(), loaded.storageBytes());
                float[] a = new float[64 * 320];
                float[] b = new float[64 * 320];
                q.dequantizeRows(0, 64, a);
                loaded.dequantizeRows(0, 64, b);
                assertArrayEquals(a, b, "double quant " + dq);
                loaded.close(); // a loaded weight only views the parts; closing it must not free them
                q.dequantizeRows(0, 64, b);
                assertArrayEquals(a, b);
            }
        }
    }

    /** The SPI layout a backend's kernels read decodes to exactly what the weight dequantizes to. */
    @Test
    void layoutDecodesLikeTheWeight() {
        for (boolean dq : new boolean[] {true, false}) {
            try (QuantizedTensor q = quantize(dq)) {
                Blockwise4Bit l = q.layout(Blockwise4Bit.class).orElseThrow();
                assertEquals(dq, l.doubleQuant());
                assertEquals(320, l.blocks());
                float[] expected = new float[64 * 320];
                q.dequantizeRows(0, 64, expected);
                for (int i = 0; i < expected.length; i++) {
                    int b = l.packed().get(ValueLayout.JAVA_BYTE, i / 2);
                    int code = i % 2 == 0 ? (b >> 4) & 15 : b & 15;
                    assertEquals(expected[i], l.codebook()[code] * l.absmaxOf(i / l.blockSize()), "element " + i);
                }
            }
        }
    }

    @Test
    void loadIgnoresPartsOfOtherFormatsAndNamesWhatIsWrong() {
        try (QuantizedTensor q = quantize(true)) {
            assertNull(provider.load(Map.of("weight", q.parts().get("weight")), allocator));
            Map<String, HostTensor> missing = new LinkedHashMap<>(q.parts());
            missing.remove("weight.nested_absmax");
            IbexException e = assertThrows(IbexException.class, () -> provider.load(missing, allocator));
            assertTrue(e.getMessage().contains("no \"weight.nested_absmax\""), e.getMessage());
            Map<String, HostTensor> wrong = new LinkedHashMap<>(q.parts());
            wrong.put("weight.absmax", q.parts().get("weight.nested_absmax"));
            e = assertThrows(IbexException.class, () -> provider.load(wrong, allocator));
            assertTrue(e.getMessage().contains("\"weight.absmax\" is F32 [2], expected U8 with 320 elements"),
                    e.getMessage());
        }
    }

    @Test
    void pythonReprOfTheOffset() {
        assertEquals("0.05353546142578125", QuantState.pythonRepr(0.05353546142578125f));
        assertEquals("9.999999747378752e-06", QuantState.pythonRepr(1e-5f));
        assertEquals("0.0010000000474974513", QuantState.pythonRepr(0.001f));
        assertEquals("-0.25", QuantState.pythonRepr(-0.25f));
        assertEquals("0.0", QuantState.pythonRepr(0f));
        assertEquals("3.0", QuantState.pythonRepr(3f));
        assertEquals("1.0000000200408773e+20", QuantState.pythonRepr(1e20f));
        assertEquals("0.00019999999494757503", QuantState.pythonRepr(2e-4f));
    }

    private static void check(HostTensor t, DType dtype, long... shape) {
        assertEquals(dtype, t.dtype());
        assertEquals(Shape.of(shape), t.shape());
    }
}
