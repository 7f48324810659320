package dev.ibex.quant.nf4;

import dev.ibex.spi.quant.Blockwise4Bit;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A 4-bit weight in bitsandbytes' layout, held as the very tensors bitsandbytes serializes (so saving is writing
 * {@link #parts()} and loading is wrapping them, with no conversion either way).
 *
 * <p>Element {@code i} of the flattened weight is the nibble {@code i} of {@code weight} (even elements in the high
 * nibble) looked up in {@code quant_map} and multiplied by the absmax of block {@code i / blocksize}; with double
 * quantization that absmax is {@code nested_quant_map[absmax[b]] · nested_absmax[b / 256] + nested_offset}.
 */
final class Nf4Tensor implements QuantizedTensor {
    static final String WEIGHT = "weight";
    static final String ABSMAX = "weight.absmax";
    static final String QUANT_MAP = "weight.quant_map";
    static final String NESTED_ABSMAX = "weight.nested_absmax";
    static final String NESTED_QUANT_MAP = "weight.nested_quant_map";
    /** The quant-state key without its type suffix ({@code nf4} or {@code fp4}). */
    static final String STATE_PREFIX = "weight.quant_state.bitsandbytes__";

    private final QuantState state;
    private final Shape shape;
    private final Map<String, HostTensor> parts;
    private final List<HostTensor> owned;
    private final float[] code;
    private final float[] nestedCode;
    private final MemorySegment packed;
    private final MemorySegment absmax;
    private final MemorySegment nestedAbsmax;

    /**
     * @param parts the serialized tensors by key (see the constants), already checked against {@code state}
     * @param owned the ones this tensor allocated and must release
     */
    Nf4Tensor(QuantState state, Map<String, HostTensor> parts, List<HostTensor> owned) {
        this.state = state;
        this.shape = Shape.of(state.shape());
        this.parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
        this.owned = List.copyOf(owned);
        this.code = parts.get(QUANT_MAP).toFloatArray();
        this.packed = parts.get(WEIGHT).data();
        this.absmax = parts.get(ABSMAX).data();
        this.nestedCode = state.nested() ? parts.get(NESTED_QUANT_MAP).toFloatArray() : null;
        this.nestedAbsmax = state.nested() ? parts.get(NESTED_ABSMAX).data() : null;
    }

    @Override
    public String format() {
        return state.quantType();
    }

    @Override
    public Shape shape() {
        return shape;
    }

    QuantState state() {
        return state;
    }

    @Override
    public Map<String, HostTensor> parts() {
        return parts;
    }

    /** The scale of block {@code b}, decoding double quantization. */
    float absmaxOf(long b) {
        if (!state.nested()) {
            return absmax.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, b);
        }
        int q = absmax.get(ValueLayout.JAVA_BYTE, b) & 0xff;
        float nested = nestedAbsmax.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, b / state.nestedBlockSize());
        return nestedCode[q] * nested + state.nestedOffset();
    }

    @Override
    public void dequantizeRows(int row, int count, float[] dst) {
        long cols = shape.dim(1);
        long from = row * cols;
        int n = Math.toIntExact(count * cols);
        int blockSize = state.blockSize();
        long block = -1;
        float scale = 0f;
        for (int i = 0; i < n; i++) {
            long e = from + i;
            if (e / blockSize != block) {
                block = e / blockSize;
                scale = absmaxOf(block);
            }
            int b = packed.get(ValueLayout.JAVA_BYTE, e >>> 1);
            int q = (e & 1) == 0 ? (b >>> 4) & 0xf : b & 0xf;
            dst[i] = code[q] * scale;
        }
    }

    @Override
    public <L> Optional<L> layout(Class<L> type) {
        if (type != Blockwise4Bit.class) {
            return Optional.empty();
        }
        return Optional.of(type.cast(new Blockwise4Bit(packed, code.clone(), state.blockSize(), absmax,
                state.nested(), nestedCode == null ? null : nestedCode.clone(), nestedAbsmax,
                state.nested() ? state.nestedBlockSize() : 0, state.nested() ? state.nestedOffset() : 0f,
                shape.dim(0), shape.dim(1))));
    }

    @Override
    public void close() {
        owned.forEach(HostTensor::close);
    }

    @Override
    public String toString() {
        return "Nf4Tensor[" + format() + (state.nested() ? "+dq" : "") + " " + shape + "]";
    }
}
