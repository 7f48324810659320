package dev.ibex.spi.quant;

import dev.ibex.spi.tensor.DType;

/**
 * How to quantize, with bitsandbytes' names and defaults.
 *
 * @param format           {@code "nf4"}, {@code "fp4"} or {@code "int8"}
 * @param blockSize        4-bit block size (bnb: 64)
 * @param doubleQuant      quantize the 4-bit absmax values again (bnb {@code bnb_4bit_use_double_quant})
 * @param computeDtype     dtype the weight is dequantized to for compute (bnb {@code bnb_4bit_compute_dtype})
 * @param outlierThreshold LLM.int8 outlier threshold (transformers {@code llm_int8_threshold}, 6.0); 0 = plain int8
 */
public record QuantOptions(String format, int blockSize, boolean doubleQuant, DType computeDtype,
                           float outlierThreshold) {

    public static QuantOptions nf4(boolean doubleQuant) {
        return new QuantOptions("nf4", 64, doubleQuant, DType.BF16, 0f);
    }

    public static QuantOptions int8(float threshold) {
        return new QuantOptions("int8", 0, false, DType.F16, threshold);
    }
}
