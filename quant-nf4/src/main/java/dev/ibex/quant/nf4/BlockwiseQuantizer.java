package dev.ibex.quant.nf4;

import dev.ibex.spi.tensor.HostTensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.stream.IntStream;

/**
 * bitsandbytes' blockwise quantization: the flattened values are cut into blocks, each block is divided by its
 * absolute maximum (multiplied by the float32 reciprocal, as bnb's kernels do) and clamped to [-1, 1], and each
 * scaled value takes the nearest code. An all-zero block keeps absmax 0 and codes that decode to exactly 0 (bnb's
 * reference clamps the divisor to 1e-38 for the same effect).
 */
final class BlockwiseQuantizer {
    /** bnb's floor for the divisor, so an all-zero block divides by something finite. */
    static final float MIN_ABSMAX = 1e-38f;
    /** Blocks per parallel work item: 64K weights. */
    private static final int BLOCKS_PER_CHUNK = 1024;

    private BlockwiseQuantizer() {
    }

    /**
     * Quantizes {@code weight} (F32, F16 or BF16, any shape) to 4-bit codes packed two per byte, the even element in
     * the high nibble, into {@code packed} ({@code ceil(n/2)} bytes; an odd tail is padded with the code of 0), and
     * the block scales into {@code absmax}.
     */
    static void quantize4(HostTensor weight, FourBitType type, int blockSize, MemorySegment packed, float[] absmax) {
        long n = weight.numel();
        int blocks = absmax.length;
        int chunks = Math.ceilDiv(blocks, BLOCKS_PER_CHUNK);
        int padCode = type.encode(0f);
        IntStream.range(0, chunks).parallel().forEach(chunk -> {
            float[] values = new float[blockSize];
            int[] codes = new int[blockSize];
            int b1 = Math.min(blocks, (chunk + 1) * BLOCKS_PER_CHUNK);
            for (int b = chunk * BLOCKS_PER_CHUNK; b < b1; b++) {
                long start = (long) b * blockSize;
                int count = (int) Math.min(blockSize, n - start);
                weight.readFloats(start, values, 0, count);
                float max = 0f;
                for (int i = 0; i < count; i++) {
                    max = Math.max(max, Math.abs(values[i]));
                }
                absmax[b] = max;
                float reciprocal = 1f / Math.max(max, MIN_ABSMAX);
                for (int i = 0; i < count; i++) {
                    codes[i] = type.encode(clamp(values[i] * reciprocal));
                }
                // blockSize is even, so a block starts on a byte boundary.
                for (int i = 0; i < count; i += 2) {
                    int low = i + 1 < count ? codes[i + 1] : padCode;
                    packed.set(ValueLayout.JAVA_BYTE, (start + i) / 2, (byte) (codes[i] << 4 | low));
                }
            }
        });
    }

    /**
     * Quantizes {@code values} to 8-bit codes of a sorted 256-entry table in blocks of {@code blockSize}, into
     * {@code codes} (one byte each) and {@code blockAbsmax} (one per block), as bnb's {@code quantize_blockwise}.
     */
    static void quantize8(float[] values, float[] sortedTable, int blockSize, MemorySegment codes, float[] blockAbsmax) {
        float[] midpoints = Codebooks.midpoints(sortedTable);
        for (int b = 0; b < blockAbsmax.length; b++) {
            int start = b * blockSize;
            int end = Math.min(values.length, start + blockSize);
            float max = 0f;
            for (int i = start; i < end; i++) {
                max = Math.max(max, Math.abs(values[i]));
            }
            blockAbsmax[b] = max;
            float reciprocal = 1f / Math.max(max, MIN_ABSMAX);
            for (int i = start; i < end; i++) {
                codes.set(ValueLayout.JAVA_BYTE, i, (byte) Codebooks.nearest(midpoints, clamp(values[i] * reciprocal)));
            }
        }
    }

    private static float clamp(float v) {
        return Math.max(-1f, Math.min(1f, v));
    }
}
