package dev.ibex.backend.cpu;

import dev.ibex.spi.quant.Blockwise4Bit;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.quant.RowwiseInt8;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A quantized weight {@code [rows, cols]} in a layout the CPU kernels know (the SPI's {@link Blockwise4Bit} and
 * {@link RowwiseInt8}), with its storage seen as plain native segments, decoded a row segment at a time into the
 * buffers the kernels multiply from. The full F32 weight is never built.
 */
sealed interface QuantRows permits Nf4Rows, Int8Rows {

    int rows();

    int cols();

    /**
     * Writes the dequantized {@code W[row, c0 .. c0+count)} to {@code dst[offset + i·stride]}: {@code stride} 1 fills
     * a row buffer, {@code stride} NR writes one column of a GEMM panel.
     */
    void decode(int row, int c0, int count, float[] dst, int offset, int stride);

    /**
     * Whether this weight's shape suits the vector decode kernels ({@link #dot}, {@link #dot4}); otherwise rows go
     * through {@link #decode}.
     */
    boolean fast();

    /** Row {@code row} dotted with the input as this layout prepared it, at {@code xs[xo..]} (fast path only). */
    float dot(int row, float[] xs, int xo);

    /** Rows {@code row .. row+3} likewise, into {@code out[0..3]} (fast path only). */
    void dot4(int row, float[] xs, int xo, float[] out);

    /** The CPU view of {@code weight}'s storage, or null when its format has no fused kernel here. */
    static QuantRows of(QuantizedTensor weight) {
        var blockwise = weight.layout(Blockwise4Bit.class);
        if (blockwise.isPresent()) {
            return Nf4Rows.of(blockwise.get());
        }
        var rowwise = weight.layout(RowwiseInt8.class);
        if (rowwise.isPresent()) {
            return Int8Rows.of(rowwise.get());
        }
        return null;
    }

    /**
     * {@code segment} as a plain native segment (see the package comment: kernels must see one segment kind).
     * Native memory, mapped files included, is re-wrapped without a copy (the owner of the quantized weight keeps
     * it alive, as for any uploaded host tensor); heap memory is copied once into native memory.
     */
    static MemorySegment plain(MemorySegment segment) {
        if (segment == null) {
            return null;
        }
        if (segment.isNative()) {
            return MemorySegment.ofAddress(segment.address()).reinterpret(segment.byteSize());
        }
        MemorySegment copy = Arena.ofAuto().allocate(Math.max(1, segment.byteSize()), 64).asSlice(0, segment.byteSize());
        copy.copyFrom(segment);
        return copy;
    }
}
