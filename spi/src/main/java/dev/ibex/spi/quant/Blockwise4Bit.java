package dev.ibex.spi.quant;

import java.lang.foreign.MemorySegment;

/**
 * bitsandbytes' blockwise 4-bit layout (NF4 and FP4): the weight is flattened row-major, cut into blocks of
 * {@code blockSize} values, each scaled by its absolute maximum and rounded to the nearest of 16 code values.
 * Two codes share a byte: the even-indexed element in the <b>high</b> nibble, the odd one in the low nibble.
 * Element {@code i} dequantizes to {@code codebook[code(i)] · absmax(i / blockSize)}.
 *
 * <p>With double quantization the per-block absmax values are themselves stored as 8-bit codes:
 * {@code absmax(b) = nestedCodebook[absmaxCodes[b]] · nestedAbsmax[b / nestedBlockSize] + offset}. Without it,
 * {@code absmax} holds F32 values directly. Every product above is a float32 operation, in this order; the
 * dequantized weight is a float32 value (bitsandbytes rounds it to its compute dtype; Ibex computes in F32).
 * The last block is short when {@code rows·cols} is not a multiple of {@code blockSize}, and an odd
 * {@code rows·cols} leaves the low nibble of the last byte unused.
 *
 * @param packed          U8, {@code ceil(rows·cols/2)} bytes
 * @param codebook        the 16 code values
 * @param blockSize       values per block (64)
 * @param absmax          F32 {@code [blocks]}, or U8 codes {@code [blocks]} with double quantization
 * @param doubleQuant     whether {@code absmax} holds 8-bit codes
 * @param nestedCodebook  the 256 values of the 8-bit dynamic map (double quantization only, else null)
 * @param nestedAbsmax    F32 {@code [ceil(blocks / nestedBlockSize)]} (double quantization only, else null)
 * @param nestedBlockSize absmax values per nested block (256; 0 without double quantization)
 * @param offset          the mean subtracted from the absmax values before quantizing them (0 without)
 * @param rows            output features
 * @param cols            input features
 */
public record Blockwise4Bit(MemorySegment packed, float[] codebook, int blockSize, MemorySegment absmax,
                            boolean doubleQuant, float[] nestedCodebook, MemorySegment nestedAbsmax,
                            int nestedBlockSize, float offset, long rows, long cols) {

    /** Number of absmax blocks. */
    public long blocks() {
        return Math.ceilDiv(rows * cols, blockSize);
    }

    /** The scale of block {@code b}, decoding double quantization when present. */
    public float absmaxOf(long b) {
        if (!doubleQuant) {
            return absmax.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, b);
        }
        int code = absmax.get(java.lang.foreign.ValueLayout.JAVA_BYTE, b) & 0xff;
        float nested = nestedAbsmax.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, b / nestedBlockSize);
        return nestedCodebook[code] * nested + offset;
    }
}
