package dev.ibex.backend.cpu;

import dev.ibex.spi.quant.Blockwise4Bit;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 4-bit weight ({@link Blockwise4Bit}: NF4, FP4, any 16-entry code table) for the CPU kernels.
 *
 * <p>Decode (GEMV): a 256-bit load holds 64 codes, eight nibbles per int lane. Shifting the lanes right by
 * {@code 4s} brings nibble {@code s} of every lane to the bottom; the code value is a 16-entry table lookup done as
 * two 8-entry lane permutes ({@code selectFrom}, one per half of the table) and a blend on the nibble's top bit.
 * Nibble {@code s} of lane {@code l} is element {@code 8l + (s ^ 1)} of the 64 (the even element of a byte is its
 * high nibble), so the input is permuted once per call to that order ({@link #prepare}) and each lookup meets its
 * inputs with a plain vector load. The products of a block are summed first and scaled by its absmax once. This
 * path needs rows that start on a 64-code boundary inside a block ({@code cols} and {@code blockSize} multiples of
 * 64) and 256-bit vectors; other shapes decode rows into a buffer ({@link #decode}) and take a plain dot product.
 */
final class Nf4Rows implements QuantRows {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    /** Codes per 256-bit load. */
    static final int CHUNK = 64;
    /** Codes a row contributes per turn when several rows are dotted together (256 bytes). */
    private static final int TURN = 8 * CHUNK;

    private final MemorySegment packed;
    private final MemorySegment absmax;
    private final MemorySegment nestedAbsmax;
    private final float[] code;
    private final float[] nestedCode;
    private final int[] codeBits;
    private final float[] highCode = new float[256];
    private final float[] lowCode = new float[256];
    private final boolean doubleQuant;
    private final int blockSize;
    private final int nestedBlockSize;
    /**
     * log2 of the block sizes where they are powers of two (every size bitsandbytes writes), else -1: the decode loop
     * finds a chunk's scale with shifts, since two 64-bit divisions per 64 codes cost as much as their lookups.
     */
    private final int blockShift;
    private final int nestedBlockShift;
    private final float offset;
    private final int rows;
    private final int cols;
    private final boolean fast;

    private Nf4Rows(Blockwise4Bit w) {
        this.rows = Math.toIntExact(w.rows());
        this.cols = Math.toIntExact(w.cols());
        this.packed = QuantRows.plain(w.packed());
        this.absmax = QuantRows.plain(w.absmax());
        this.nestedAbsmax = QuantRows.plain(w.nestedAbsmax());
        this.code = w.codebook().clone();
        this.nestedCode = w.doubleQuant() ? w.nestedCodebook().clone() : null;
        this.doubleQuant = w.doubleQuant();
        this.blockSize = w.blockSize();
        this.nestedBlockSize = w.nestedBlockSize();
        this.blockShift = log2(blockSize);
        this.nestedBlockShift = log2(nestedBlockSize);
        this.offset = w.offset();
        if (code.length != 16 || packed.byteSize() < Math.ceilDiv((long) rows * cols, 2)) {
            throw new IllegalArgumentException("a 4-bit layout needs 16 codes and ceil(rows·cols/2) bytes, got "
                    + code.length + " codes and " + packed.byteSize() + " bytes for " + rows + " × " + cols);
        }
        this.codeBits = new int[16];
        for (int q = 0; q < 16; q++) {
            codeBits[q] = Float.floatToRawIntBits(code[q]);
        }
        for (int b = 0; b < 256; b++) {
            highCode[b] = code[b >>> 4];
            lowCode[b] = code[b & 15];
        }
        this.fast = cols % CHUNK == 0 && blockSize % CHUNK == 0
                && IntVector.SPECIES_PREFERRED.vectorBitSize() >= I.vectorBitSize();
    }

    private static int log2(int size) {
        return size > 0 && Integer.bitCount(size) == 1 ? Integer.numberOfTrailingZeros(size) : -1;
    }

    static Nf4Rows of(Blockwise4Bit w) {
        return new Nf4Rows(w);
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    /** The scale of block {@code b}, exactly as {@link Blockwise4Bit#absmaxOf} computes it. */
    float absmax(long b) {
        if (!doubleQuant) {
            return absmax.getAtIndex(F32, b);
        }
        int q = absmax.get(ValueLayout.JAVA_BYTE, b) & 0xff;
        long nested = nestedBlockShift >= 0 ? b >>> nestedBlockShift : b / nestedBlockSize;
        return nestedCode[q] * nestedAbsmax.getAtIndex(F32, nested) + offset;
    }

    @Override
    public void decode(int row, int c0, int count, float[] dst, int offset, int stride) {
        long e = (long) row * cols + c0;
        long end = e + count;
        int d = offset;
        while (e < end) {
            long block = e / blockSize;
            float scale = absmax(block);
            long stop = Math.min(end, (block + 1) * blockSize);
            if ((e & 1) == 1) { // starts on a low nibble
                dst[d] = lowCode[packed.get(ValueLayout.JAVA_BYTE, e >>> 1) & 0xff] * scale;
                d += stride;
                e++;
            }
            for (; e + 1 < stop; e += 2) {
                int b = packed.get(ValueLayout.JAVA_BYTE, e >>> 1) & 0xff;
                dst[d] = highCode[b] * scale;
                dst[d + stride] = lowCode[b] * scale;
                d += 2 * stride;
            }
            if (e < stop) { // ends on a high nibble
                dst[d] = highCode[packed.get(ValueLayout.JAVA_BYTE, e >>> 1) & 0xff] * scale;
                d += stride;
                e++;
            }
        }
    }

    /** Whether {@link #dot} runs the vector decode; otherwise rows go through {@link #decode}. */
    @Override
    public boolean fast() {
        return fast;
    }

    /**
     * Copies {@code m} rows of x into {@code xs} in the order the vector decode produces codes: within each 64,
     * element {@code 8l + (s ^ 1)} goes to position {@code 8s + l}.
     */
    void prepare(MemorySegment x, int m, float[] xs) {
        for (int i = 0; i < m; i++) {
            for (int t = 0; t < cols; t += CHUNK) {
                int base = i * cols + t;
                for (int s = 0; s < 8; s++) {
                    for (int l = 0; l < 8; l++) {
                        xs[base + 8 * s + l] = x.getAtIndex(F32, base + 8 * l + (s ^ 1));
                    }
                }
            }
        }
    }

    @Override
    public float dot(int row, float[] xs, int xo) {
        float[] out = new float[1];
        dotRows(row, 1, xs, xo, out);
        return out[0];
    }

    @Override
    public void dot4(int row, float[] xs, int xo, float[] out) {
        dotRows(row, 4, xs, xo, out);
    }

    /**
     * Rows {@code row .. row+count-1} dotted with the prepared input at {@code xs[xo..]} into {@code out}. The rows
     * take turns of {@link #TURN} codes, so that all of them stream from memory at once (see {@link Gemv}), and the
     * loop body exists once: C2 will not inline a separately compiled chunk method four times, and boxes the vectors
     * when it does not. Within a chunk the lanes are shifted right a byte per step rather than each nibble from the
     * original load, which keeps C2's register use within the sixteen AVX2 registers (measured: shifting every nibble
     * from {@code v} spilled and ran ~1.3× slower). The products of a chunk are summed, then scaled by its absmax.
     */
    private void dotRows(int row, int count, float[] xs, int xo, float[] out) {
        IntVector low = IntVector.fromArray(I, codeBits, 0);
        IntVector high = IntVector.fromArray(I, codeBits, 8);
        Arrays.fill(out, 0, count, 0f);
        for (int t0 = 0; t0 < cols; t0 += TURN) {
            int t1 = Math.min(cols, t0 + TURN);
            for (int r = 0; r < count; r++) {
                long rowStart = (long) (row + r) * cols;
                FloatVector acc = FloatVector.zero(F);
                for (int t = t0; t < t1; t += CHUNK) {
                    IntVector v = IntVector.fromMemorySegment(I, packed, (rowStart + t) >>> 1, LE);
                    FloatVector even = FloatVector.zero(F);
                    FloatVector odd = FloatVector.zero(F);
                    for (int s = 0; s < 8; s += 2) {
                        even = lookup(v, low, high).fma(FloatVector.fromArray(F, xs, xo + t + 8 * s), even);
                        odd = lookup(v.lanewise(VectorOperators.LSHR, 4), low, high)
                                .fma(FloatVector.fromArray(F, xs, xo + t + 8 * s + 8), odd);
                        v = v.lanewise(VectorOperators.LSHR, 8);
                    }
                    long e = rowStart + t; // rows may start inside a block
                    float scale = absmax(blockShift >= 0 ? e >>> blockShift : e / blockSize);
                    acc = even.add(odd).fma(FloatVector.broadcast(F, scale), acc);
                }
                out[r] += acc.reduceLanes(VectorOperators.ADD);
            }
        }
    }

    /** The code values of the low nibble of every lane: two 8-entry permutes and a blend on the nibble's bit 3. */
    private static FloatVector lookup(IntVector v, IntVector low, IntVector high) {
        IntVector index = v.and(7);
        VectorMask<Integer> upper = v.lanewise(VectorOperators.LSHL, 28).compare(VectorOperators.LT, 0);
        return index.selectFrom(low).blend(index.selectFrom(high), upper).reinterpretAsFloats();
    }
}
