package dev.ibex.quant.nf4;

import java.util.Locale;

/**
 * The two 4-bit data types and how a scaled value in [-1, 1] picks its code.
 *
 * <p>NF4's table is sorted, so the code is the nearest table value (ties to the lower one), as bitsandbytes'
 * reference and its CUDA decision tree both do. FP4's table is in bit-pattern order with a sign bit, so the code is
 * the sign of the value (set for any negative value, as in bitsandbytes' {@code dQuantizeFP4}) plus the nearest of
 * the eight magnitudes.
 */
enum FourBitType {
    NF4("nf4", Codebooks.NF4),
    FP4("fp4", Codebooks.FP4);

    private final String id;
    private final float[] code;
    private final float[] midpoints;

    FourBitType(String id, float[] code) {
        this.id = id;
        this.code = code;
        if (id.equals("nf4")) {
            this.midpoints = Codebooks.midpoints(code);
        } else {
            float[] magnitudes = new float[8];
            for (int i = 0; i < 8; i++) {
                magnitudes[i] = code[Codebooks.FP4_BITS_BY_MAGNITUDE[i]];
            }
            this.midpoints = Codebooks.midpoints(magnitudes);
        }
    }

    /** The format id ({@code nf4}, {@code fp4}), also the suffix of bitsandbytes' quant-state key. */
    String id() {
        return id;
    }

    /** The 16 code values, indexed by the 4-bit code. */
    float[] code() {
        return code.clone();
    }

    /** The 4-bit code of {@code scaled}, a weight divided by its block's absmax. */
    int encode(float scaled) {
        if (this == NF4) {
            return Codebooks.nearest(midpoints, scaled);
        }
        int sign = scaled < 0 ? 0b1000 : 0;
        return sign | Codebooks.FP4_BITS_BY_MAGNITUDE[Codebooks.nearest(midpoints, Math.abs(scaled))];
    }

    static FourBitType of(String format) {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "nf4" -> NF4;
            case "fp4" -> FP4;
            default -> throw new IllegalArgumentException("not a 4-bit format: " + format);
        };
    }
}
