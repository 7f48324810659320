package dev.ibex.spi.quant;

import java.lang.foreign.MemorySegment;

/**
 * LLM.int8's vector-wise layout: each output row {@code r} stores int8 codes {@code CB[r, :]} and its absolute
 * maximum {@code SCB[r]}, so {@code W[r, c] ≈ CB[r, c] · SCB[r] / 127}.
 *
 * <p>With {@code threshold > 0} the product follows LLM.int8's mixed-precision decomposition: input features
 * (columns of {@code x}) holding any value with {@code |x| ≥ threshold} are multiplied in floating point against
 * the dequantized weight columns; the rest of {@code x} is quantized per row to int8 (absmax/127) and multiplied
 * in integers, {@code C·rowScaleX·SCB/(127·127)}. With {@code threshold == 0} the whole input takes the int8 path.
 *
 * @param codes     I8 {@code [rows, cols]}
 * @param rowScales F32 {@code [rows]} (SCB)
 * @param threshold outlier threshold (0 = none)
 * @param rows      output features
 * @param cols      input features
 */
public record RowwiseInt8(MemorySegment codes, MemorySegment rowScales, float threshold, long rows, long cols) {
}
