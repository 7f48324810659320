package dev.ibex.spi.quant;

import java.lang.foreign.MemorySegment;

/**
 * LLM.int8's vector-wise layout: each output row {@code r} stores int8 codes {@code CB[r, :]} and its absolute
 * maximum {@code SCB[r]}, so {@code W[r, c] ≈ Ŵ[r, c] = CB[r, c] · SCB[r] / 127} (float32: the product, then the
 * division).
 *
 * <p>The product {@code y = x·Ŵᵀ} follows LLM.int8's mixed-precision decomposition as bitsandbytes implements
 * it, for the {@code M} rows of {@code x} given in one call:
 * <ol>
 *   <li>with {@code threshold > 0}, the outlier columns are the input features where any row has
 *       {@code |x| ≥ threshold}; they are multiplied in floating point against the dequantized weight columns Ŵ;
 *   <li>each row {@code i} of {@code x} is quantized to int8: {@code s_i} = the largest {@code |x[i, c]|} below the
 *       threshold (all of them when it is 0), {@code q[i, c] = rint(x[i, c] · (127 / s_i))} with {@code 127 / s_i}
 *       and the product rounded to float32 and ties to even ({@code q = 0} when {@code s_i = 0}); codes in outlier
 *       columns are dropped;
 *   <li>{@code y[i, j] = (Σ_c q[i, c]·CB[j, c]) · s_i · SCB[j] / (127·127)} plus the outlier product.
 * </ol>
 * With {@code threshold == 0} the whole input takes the int8 path. The input gradient uses Ŵ, as bitsandbytes'
 * backward does.
 *
 * @param codes     I8 {@code [rows, cols]}
 * @param rowScales F32 {@code [rows]} (SCB)
 * @param threshold outlier threshold (0 = none)
 * @param rows      output features
 * @param cols      input features
 */
public record RowwiseInt8(MemorySegment codes, MemorySegment rowScales, float threshold, long rows, long cols) {
}
