package dev.ibex.spi.tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Element types, named as in the safetensors header ({@code "F32"}, {@code "BF16"}, ...).
 * All multi-byte types are little-endian.
 */
public enum DType {
    BOOL(1), U8(1), I8(1), I16(2), U16(2), F16(2), BF16(2), I32(4), U32(4), F32(4), F64(8), I64(8), U64(8),
    F8_E5M2(1), F8_E4M3(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for the floating-point types a weight can be stored in and computed from (F32, F16, BF16). */
    public boolean isDenseFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** The safetensors spelling, e.g. {@code "BF16"}. */
    public String safetensorsName() {
        return name();
    }

    /** Parses a safetensors dtype name. */
    public static Optional<DType> fromSafetensors(String name) {
        return Arrays.stream(values()).filter(d -> d.name().equals(name)).findFirst();
    }

    /**
     * Parses the names users and configs write ({@code "bf16"}, {@code "bfloat16"}, {@code "float16"},
     * {@code "fp32"}, {@code "float32"}, ...).
     */
    public static Optional<DType> fromUserName(String name) {
        return switch (name.toLowerCase(Locale.ROOT).replace("torch.", "")) {
            case "f32", "fp32", "float32", "float" -> Optional.of(F32);
            case "f16", "fp16", "float16", "half" -> Optional.of(F16);
            case "bf16", "bfloat16" -> Optional.of(BF16);
            default -> fromSafetensors(name.toUpperCase(Locale.ROOT));
        };
    }

    /** bfloat16 bits to float: the top 16 bits of an IEEE float. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** float to bfloat16 bits, rounding to nearest even, as torch does ({@code tensor.to(torch.bfloat16)}). */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040); // quiet NaN, keep the sign
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** IEEE half bits to float. */
    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** float to IEEE half bits, rounding to nearest even. */
    public static short floatToF16(float value) {
        return Float.floatToFloat16(value);
    }
}
