package dev.ibex.backend.cpu;

import dev.ibex.spi.quant.RowwiseInt8;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * An LLM.int8 weight ({@link RowwiseInt8}) for the CPU kernels.
 *
 * <p>The mixed-precision product is computed as one float product {@code y = x″·Ŵᵀ}: {@link #prepare} turns each
 * row of x into what the layout multiplies, its int8 codes times {@code s_i / 127} in ordinary columns and the raw
 * values in outlier columns, and Ŵ = {@code CB·SCB/127} is decoded on the fly. That equals the layout's integer
 * product {@code Σ q·CB · s·SCB/127²} up to float round-off, since the codes are small integers; the codes
 * themselves are computed with exactly the layout's float32 operations, so they agree bit for bit.
 */
final class Int8Rows implements QuantRows {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_64;

    private final MemorySegment codes;
    private final float[] factor;
    private final float threshold;
    private final int rows;
    private final int cols;
    private final boolean fast;

    private Int8Rows(RowwiseInt8 w) {
        this.rows = Math.toIntExact(w.rows());
        this.cols = Math.toIntExact(w.cols());
        this.codes = QuantRows.plain(w.codes());
        this.threshold = w.threshold();
        if (codes.byteSize() < (long) rows * cols || w.rowScales().byteSize() < 4L * rows) {
            throw new IllegalArgumentException("an int8 layout of " + rows + " × " + cols + " needs that many codes "
                    + "and one F32 scale per row");
        }
        this.factor = new float[rows];
        for (int r = 0; r < rows; r++) {
            factor[r] = w.rowScales().getAtIndex(F32, r) / 127f;
        }
        this.fast = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= F.vectorBitSize();
    }

    static Int8Rows of(RowwiseInt8 w) {
        return new Int8Rows(w);
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    /** Ŵ = CB·(SCB/127): the scale is folded once per row (one rounding away from the layout's CB·SCB/127). */
    @Override
    public void decode(int row, int c0, int count, float[] dst, int offset, int stride) {
        float f = factor[row];
        long base = (long) row * cols + c0;
        for (int c = 0, d = offset; c < count; c++, d += stride) {
            dst[d] = codes.get(ValueLayout.JAVA_BYTE, base + c) * f;
        }
    }

    /**
     * Writes into {@code xs} the {@code m} rows of x as the layout multiplies them: the outlier columns (any
     * {@code |x| ≥ threshold}) as they are, every other element as {@code rint(x·(127/s_i))·(s_i/127)} with
     * {@code s_i} the row's largest magnitude below the threshold.
     */
    void prepare(MemorySegment x, int m, float[] xs) {
        int k = cols;
        boolean[] outlier = new boolean[k];
        if (threshold > 0) {
            for (int i = 0; i < m * k; i++) {
                if (Math.abs(x.getAtIndex(F32, i)) >= threshold) {
                    outlier[i % k] = true;
                }
            }
        }
        for (int i = 0; i < m; i++) {
            float absmax = 0f;
            for (int c = 0; c < k; c++) {
                float a = Math.abs(x.getAtIndex(F32, (long) i * k + c));
                if (threshold <= 0 || a < threshold) {
                    absmax = Math.max(absmax, a);
                }
            }
            float quantize = absmax == 0f ? 0f : 127f / absmax;
            float dequantize = absmax / 127f;
            for (int c = 0; c < k; c++) {
                float v = x.getAtIndex(F32, (long) i * k + c);
                xs[i * k + c] = outlier[c] ? v : (float) Math.rint(v * quantize) * dequantize;
            }
        }
    }

    /** Whether {@link #dot} runs the vector loop (256-bit vectors); otherwise rows go through {@link #decode}. */
    @Override
    public boolean fast() {
        return fast;
    }

    /** Row {@code row} of Ŵ dotted with the prepared input at {@code xs[xo..]}: Σ CB·x″, scaled once. */
    @Override
    public float dot(int row, float[] xs, int xo) {
        long base = (long) row * cols;
        int l = F.length();
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int body = cols - cols % (4 * l);
        for (int c = 0; c < body; c += 4 * l) {
            long at = base + c;
            a0 = widen(at).fma(FloatVector.fromArray(F, xs, xo + c), a0);
            a1 = widen(at + l).fma(FloatVector.fromArray(F, xs, xo + c + l), a1);
            a2 = widen(at + 2L * l).fma(FloatVector.fromArray(F, xs, xo + c + 2 * l), a2);
            a3 = widen(at + 3L * l).fma(FloatVector.fromArray(F, xs, xo + c + 3 * l), a3);
        }
        return (a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD) + tail(base, xs, xo, body)) * factor[row];
    }

    /**
     * Rows {@code row .. row+3} of Ŵ dotted with the prepared input at {@code xs[xo..]} into {@code out[0..3]}: one
     * load of x serves four rows, and four rows stream from memory at once (see {@link Gemv}).
     */
    @Override
    public void dot4(int row, float[] xs, int xo, float[] out) {
        long b0 = (long) row * cols;
        long b1 = b0 + cols;
        long b2 = b1 + cols;
        long b3 = b2 + cols;
        int l = F.length();
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int body = cols - cols % l;
        for (int c = 0; c < body; c += l) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + c);
            a0 = widen(b0 + c).fma(x, a0);
            a1 = widen(b1 + c).fma(x, a1);
            a2 = widen(b2 + c).fma(x, a2);
            a3 = widen(b3 + c).fma(x, a3);
        }
        out[0] = (a0.reduceLanes(VectorOperators.ADD) + tail(b0, xs, xo, body)) * factor[row];
        out[1] = (a1.reduceLanes(VectorOperators.ADD) + tail(b1, xs, xo, body)) * factor[row + 1];
        out[2] = (a2.reduceLanes(VectorOperators.ADD) + tail(b2, xs, xo, body)) * factor[row + 2];
        out[3] = (a3.reduceLanes(VectorOperators.ADD) + tail(b3, xs, xo, body)) * factor[row + 3];
    }

    private float tail(long base, float[] xs, int xo, int from) {
        float sum = 0;
        for (int c = from; c < cols; c++) {
            sum += codes.get(ValueLayout.JAVA_BYTE, base + c) * xs[xo + c];
        }
        return sum;
    }

    /** Eight int8 codes as floats (sign-extend, convert). */
    private FloatVector widen(long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, codes, at, LE).convertShape(VectorOperators.B2F, F, 0);
    }
}
