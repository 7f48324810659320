package dev.ibex.quant.nf4;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.quant.QuantOptions;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.quant.QuantizerProvider;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;

/**
 * NF4 and FP4 as bitsandbytes quantizes them ({@code load_in_4bit}, {@code bnb_4bit_quant_type},
 * {@code bnb_4bit_use_double_quant}), saved and loaded under bitsandbytes' tensor names so checkpoints move between
 * Ibex and transformers in both directions.
 */
public final class Nf4QuantizerProvider implements QuantizerProvider {
    /** Absmax values per block when they are quantized again (bnb's fixed choice). */
    static final int NESTED_BLOCK_SIZE = 256;

    @Override
    public String name() {
        return "nf4";
    }

    @Override
    public String description() {
        return "bitsandbytes 4-bit weights (NF4, FP4; blockwise absmax, double quantization) for QLoRA";
    }

    @Override
    public Set<String> formats() {
        return Set.of("nf4", "fp4");
    }

    @Override
    public QuantizedTensor quantize(HostTensor weight, QuantOptions options, BufferAllocator allocator) {
        FourBitType type = FourBitType.of(options.format());
        int blockSize = options.blockSize();
        if (blockSize < 32 || blockSize > 4096 || Integer.bitCount(blockSize) != 1) {
            throw new IbexException("4-bit block size must be a power of two from 32 to 4096 (bitsandbytes' "
                    + "choices), not " + blockSize);
        }
        if (weight.shape().rank() != 2 || !weight.dtype().isDenseFloat()) {
            throw new IbexException("only F32, F16 or BF16 matrices can be quantized to " + type.id() + ", not "
                    + weight.dtype() + " " + weight.shape());
        }
        long n = weight.numel();
        int blocks = Math.toIntExact(Math.ceilDiv(n, blockSize));
        List<HostTensor> owned = new ArrayList<>();
        try {
            HostTensor packed = own(owned, HostTensor.allocate(allocator, DType.U8, Shape.of(Math.ceilDiv(n, 2), 1)));
            float[] absmax = new float[blocks];
            BlockwiseQuantizer.quantize4(weight, type, blockSize, packed.data(), absmax);
            Map<String, HostTensor> parts = new LinkedHashMap<>();
            parts.put(Nf4Tensor.WEIGHT, packed);
            QuantState state;
            if (options.doubleQuant()) {
                state = doubleQuantize(absmax, type, blockSize, weight, parts, owned, allocator);
            } else {
                parts.put(Nf4Tensor.ABSMAX, own(owned, HostTensor.ofFloats(allocator, Shape.of(blocks), absmax)));
                parts.put(Nf4Tensor.QUANT_MAP, own(owned, HostTensor.ofFloats(allocator, Shape.of(16), type.code())));
                state = new QuantState(type.id(), blockSize, torchName(weight.dtype()), weight.shape().dims(), false,
                        0, null, 0f);
            }
            parts.put(Nf4Tensor.STATE_PREFIX + type.id(), own(owned, utf8(allocator, state.toJson())));
            return new Nf4Tensor(state, parts, owned);
        } catch (RuntimeException | Error e) {
            owned.forEach(HostTensor::close);
            throw e;
        }
    }

    /**
     * bnb's double quantization: the absmax values less their mean, in 8-bit dynamic-map codes with one F32 scale
     * per 256 of them. The mean is taken in double (bnb: a float32 mean on the device; the two agree to rounding).
     */
    private static QuantState doubleQuantize(float[] absmax, FourBitType type, int blockSize, HostTensor weight,
                                             Map<String, HostTensor> parts, List<HostTensor> owned,
                                             BufferAllocator allocator) {
        double sum = 0;
        for (float a : absmax) {
            sum += a;
        }
        float offset = (float) (sum / absmax.length);
        float[] centered = new float[absmax.length];
        for (int i = 0; i < centered.length; i++) {
            centered[i] = absmax[i] - offset;
        }
        float[] table = Codebooks.dynamicMap();
        float[] nestedAbsmax = new float[Math.ceilDiv(absmax.length, NESTED_BLOCK_SIZE)];
        HostTensor codes = own(owned, HostTensor.allocate(allocator, DType.U8, Shape.of(absmax.length)));
        BlockwiseQuantizer.quantize8(centered, table, NESTED_BLOCK_SIZE, codes.data(), nestedAbsmax);
        parts.put(Nf4Tensor.ABSMAX, codes);
        parts.put(Nf4Tensor.QUANT_MAP, own(owned, HostTensor.ofFloats(allocator, Shape.of(16), type.code())));
        parts.put(Nf4Tensor.NESTED_ABSMAX,
                own(owned, HostTensor.ofFloats(allocator, Shape.of(nestedAbsmax.length), nestedAbsmax)));
        parts.put(Nf4Tensor.NESTED_QUANT_MAP, own(owned, HostTensor.ofFloats(allocator, Shape.of(256), table)));
        return new QuantState(type.id(), blockSize, torchName(weight.dtype()), weight.shape().dims(), true,
                NESTED_BLOCK_SIZE, "float32", offset);
    }

    @Override
    public QuantizedTensor load(Map<String, HostTensor> parts, BufferAllocator allocator) {
        String stateKey = parts.keySet().stream().filter(k -> k.startsWith(Nf4Tensor.STATE_PREFIX)).findFirst()
                .orElse(null);
        if (stateKey == null) {
            return null;
        }
        HostTensor stateTensor = parts.get(stateKey);
        if (stateTensor.dtype() != DType.U8 || stateTensor.shape().rank() != 1) {
            throw new IbexException(stateKey + " must be a U8 vector of JSON text, not " + stateTensor.dtype() + " "
                    + stateTensor.shape());
        }
        QuantState state = QuantState.parse(utf8(stateTensor), stateKey);
        String where = "4-bit weight (" + stateKey + ")";
        if (!stateKey.equals(Nf4Tensor.STATE_PREFIX + state.quantType()) || !formats().contains(state.quantType())) {
            throw new IbexException(where + ": quant_type \"" + state.quantType() + "\" does not match the key; "
                    + "only nf4 and fp4 are known");
        }
        if (state.shape().length != 2) {
            throw new IbexException(where + ": expected a matrix, the quant state says shape "
                    + Arrays.toString(state.shape()));
        }
        long n = Math.multiplyExact(state.shape()[0], state.shape()[1]);
        long blocks = Math.ceilDiv(n, state.blockSize());
        Map<String, HostTensor> checked = new LinkedHashMap<>();
        checked.put(Nf4Tensor.WEIGHT, part(parts, Nf4Tensor.WEIGHT, DType.U8, Math.ceilDiv(n, 2), where));
        checked.put(Nf4Tensor.ABSMAX, part(parts, Nf4Tensor.ABSMAX, state.nested() ? DType.U8 : DType.F32, blocks, where));
        checked.put(Nf4Tensor.QUANT_MAP, part(parts, Nf4Tensor.QUANT_MAP, DType.F32, 16, where));
        if (state.nested()) {
            checked.put(Nf4Tensor.NESTED_ABSMAX, part(parts, Nf4Tensor.NESTED_ABSMAX, DType.F32,
                    Math.ceilDiv(blocks, state.nestedBlockSize()), where));
            checked.put(Nf4Tensor.NESTED_QUANT_MAP, part(parts, Nf4Tensor.NESTED_QUANT_MAP, DType.F32, 256, where));
        }
        checked.put(stateKey, stateTensor);
        return new Nf4Tensor(state, checked, List.of());
    }

    private static HostTensor part(Map<String, HostTensor> parts, String key, DType dtype, long numel, String where) {
        HostTensor t = parts.get(key);
        if (t == null) {
            throw new IbexException(where + ": the checkpoint has no \"" + key + "\" tensor");
        }
        if (t.dtype() != dtype || t.numel() != numel) {
            throw new IbexException(where + ": \"" + key + "\" is " + t.dtype() + " " + t.shape() + ", expected "
                    + dtype + " with " + numel + " elements");
        }
        return t;
    }

    /** torch's dtype names as bitsandbytes stores them ({@code str(dtype)} without {@code torch.}). */
    static String torchName(DType dtype) {
        return switch (dtype) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> throw new IllegalArgumentException(dtype.toString());
        };
    }

    private static HostTensor utf8(BufferAllocator allocator, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        HostTensor t = HostTensor.allocate(allocator, DType.U8, Shape.of(bytes.length));
        MemorySegment.copy(bytes, 0, t.data(), ValueLayout.JAVA_BYTE, 0, bytes.length);
        return t;
    }

    private static String utf8(HostTensor t) {
        return new String(t.data().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private static HostTensor own(List<HostTensor> owned, HostTensor t) {
        owned.add(t);
        return t;
    }
}
