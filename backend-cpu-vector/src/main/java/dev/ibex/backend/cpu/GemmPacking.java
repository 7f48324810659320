package dev.ibex.backend.cpu;

import static dev.ibex.backend.cpu.GemmMicroKernel.L;
import static dev.ibex.backend.cpu.GemmMicroKernel.MR;
import static dev.ibex.backend.cpu.GemmMicroKernel.NR;

import dev.ibex.spi.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies blocks of the GEMM operands into the micro-kernel's panel layout (BLIS/GotoBLAS style), so that the
 * kernel reads both operands with unit stride from L1/L2 whatever the source layout, and converts 16-bit weights
 * to F32 on the way (they are never materialised as F32 matrices).
 *
 * <p>A block of A ({@code mc × kc}) becomes {@code ⌈mc/MR⌉} panels, each {@code kc} groups of {@code MR} floats
 * (one per row); a block of B ({@code kc × nc}) becomes {@code ⌈nc/NR⌉} panels, each {@code kc} groups of
 * {@code NR} floats (one per column). Rows or columns past the edge are zero, so the kernel always computes full
 * tiles.
 *
 * <p>Each operand is a strided view of a tensor: element (r, c) sits at {@code r·rowStride + c·colStride}. The
 * three products of a linear layer need only two cases per operand, one of the strides being 1.
 */
final class GemmPacking {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

    /**
     * Where the B operand's panels come from: a dense tensor ({@link Operand}) or a quantized weight dequantized
     * block by block ({@link QuantPanels}). Called once per packed block of B, never per element, so the call
     * site's polymorphism costs nothing; each implementation's loops stay monomorphic.
     */
    interface PanelSource {
        /**
         * Packs rows {@code [p0, p0+kc)}, columns {@code [j0, j0+nc)} of B into {@code dst} from {@code offset} on, as
         * {@code ⌈nc/NR⌉} panels of {@code kc} groups of {@code NR} floats, zero past column {@code nc}.
         */
        void packB(int p0, int kc, int j0, int nc, float[] dst, int offset);
    }

    /**
     * A matrix view of a tensor's segment.
     *
     * @param data      the tensor's native segment
     * @param dtype     F32, or F16/BF16 for a weight operand
     * @param rowStride elements between rows
     * @param colStride elements between columns
     */
    record Operand(MemorySegment data, DType dtype, long rowStride, long colStride) implements PanelSource {
        Operand {
            if (rowStride != 1 && colStride != 1) {
                throw new IllegalArgumentException("one stride must be 1: " + rowStride + ", " + colStride);
            }
        }

        @Override
        public void packB(int p0, int kc, int j0, int nc, float[] dst, int offset) {
            GemmPacking.packB(this, p0, kc, j0, nc, dst, offset);
        }
    }

    private GemmPacking() {
    }

    /** Packs rows {@code [i0, i0+mc)}, columns {@code [p0, p0+kc)} of the F32 operand {@code a} into {@code dst}. */
    static void packA(Operand a, int i0, int mc, int p0, int kc, float[] dst) {
        MemorySegment src = a.data();
        if (a.colStride() != 1) {
            // Column-major (dyᵀ in the weight gradient): read each column once, sequentially, across all panels.
            for (int p = 0; p < kc; p++) {
                long col = ((p0 + p) * a.colStride() + i0) * 4L;
                for (int s = 0, d = p * MR; s < mc; s += MR, d += kc * MR) {
                    for (int r = 0; r < MR; r++) {
                        dst[d + r] = s + r < mc ? src.get(F32, col + (s + r) * 4L) : 0f;
                    }
                }
            }
            return;
        }
        // Row-major: read each row sequentially, write every MR-th float of its panel.
        for (int s = 0, panel = 0; s < mc; s += MR, panel += kc * MR) {
            for (int r = 0; r < MR; r++) {
                if (s + r < mc) {
                    long row = ((i0 + s + r) * a.rowStride() + p0) * 4L;
                    for (int p = 0; p < kc; p++) {
                        dst[panel + p * MR + r] = src.get(F32, row + p * 4L);
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        dst[panel + p * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs rows {@code [p0, p0+kc)}, columns {@code [j0, j0+nc)} of operand {@code b} into {@code dst} from
     * {@code offset} on.
     */
    static void packB(Operand b, int p0, int kc, int j0, int nc, float[] dst, int offset) {
        if (b.colStride() == 1) {
            packRowMajor(b, p0, kc, j0, nc, dst, offset);
            return;
        }
        for (int t = 0, panel = offset; t < nc; t += NR, panel += kc * NR) {
            packTransposedPanel(b, p0, kc, j0 + t, Math.min(NR, nc - t), dst, panel);
        }
    }

    /**
     * B row-major (dy·W, dyᵀ·x): each row of the block is read once, sequentially, and dealt out NR elements to a
     * panel. (Panel by panel instead, the reads stride through memory 64 bytes per row: measured 2× slower for a
     * 256 × 2048 block.)
     */
    private static void packRowMajor(Operand b, int p0, int kc, int j0, int nc, float[] dst, int offset) {
        MemorySegment src = b.data();
        DType dtype = b.dtype();
        int size = dtype.byteSize();
        int full = nc / NR;
        int stride = kc * NR;
        for (int p = 0; p < kc; p++) {
            long row = ((p0 + p) * b.rowStride() + j0) * size;
            int d = offset + p * NR;
            switch (dtype) {
                case F32 -> {
                    for (int t = 0; t < full; t++) {
                        long at = row + 4L * NR * t;
                        FloatVector.fromMemorySegment(GemmMicroKernel.F, src, at, LE).intoArray(dst, d + t * stride);
                        FloatVector.fromMemorySegment(GemmMicroKernel.F, src, at + 4L * L, LE)
                                .intoArray(dst, d + t * stride + L);
                    }
                }
                case BF16, F16 -> {
                    boolean bf16 = dtype == DType.BF16;
                    for (int t = 0; t < full; t++) {
                        // S2I sign-extends; the shift puts the 16 bits on top, where HalfFloats expects them.
                        ShortVector h = ShortVector.fromMemorySegment(S, src, row + 2L * NR * t, LE);
                        IntVector lo = ((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16);
                        IntVector hi = ((IntVector) h.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 16);
                        (bf16 ? HalfFloats.bf16(lo) : HalfFloats.f16(lo)).intoArray(dst, d + t * stride);
                        (bf16 ? HalfFloats.bf16(hi) : HalfFloats.f16(hi)).intoArray(dst, d + t * stride + L);
                    }
                }
                default -> throw new IllegalArgumentException("cannot multiply by " + dtype);
            }
            int rest = nc - full * NR;
            if (rest > 0) {
                int e = d + full * stride;
                for (int c = 0; c < NR; c++) {
                    dst[e + c] = c < rest ? element(src, dtype, row + (long) (full * NR + c) * size) : 0f;
                }
            }
        }
    }

    /**
     * B = Wᵀ (x·Wᵀ): each column is a contiguous run of a weight row, scattered every NR floats. Four rows at a
     * time: four sequential read streams and four stores into each cache line of the panel measured ≈ 1.6× faster
     * than one row at a time (a vector 8 × 8 transpose with rearranges was no faster than this).
     */
    private static void packTransposedPanel(Operand b, int p0, int kc, int j, int nr, float[] dst, int panel) {
        MemorySegment src = b.data();
        DType dtype = b.dtype();
        long size = dtype.byteSize();
        int c = 0;
        for (; c + 4 <= nr; c += 4) {
            long a0 = ((j + c) * b.colStride() + p0) * size;
            long a1 = a0 + b.colStride() * size;
            long a2 = a1 + b.colStride() * size;
            long a3 = a2 + b.colStride() * size;
            int d = panel + c;
            switch (dtype) {
                case F32 -> {
                    for (int p = 0; p < kc; p++) {
                        long o = p * 4L;
                        dst[d + p * NR] = src.get(F32, a0 + o);
                        dst[d + p * NR + 1] = src.get(F32, a1 + o);
                        dst[d + p * NR + 2] = src.get(F32, a2 + o);
                        dst[d + p * NR + 3] = src.get(F32, a3 + o);
                    }
                }
                case BF16 -> {
                    for (int p = 0; p < kc; p++) {
                        long o = p * 2L;
                        dst[d + p * NR] = Float.intBitsToFloat(src.get(I16, a0 + o) << 16);
                        dst[d + p * NR + 1] = Float.intBitsToFloat(src.get(I16, a1 + o) << 16);
                        dst[d + p * NR + 2] = Float.intBitsToFloat(src.get(I16, a2 + o) << 16);
                        dst[d + p * NR + 3] = Float.intBitsToFloat(src.get(I16, a3 + o) << 16);
                    }
                }
                case F16 -> {
                    for (int p = 0; p < kc; p++) {
                        long o = p * 2L;
                        dst[d + p * NR] = Float.float16ToFloat(src.get(I16, a0 + o));
                        dst[d + p * NR + 1] = Float.float16ToFloat(src.get(I16, a1 + o));
                        dst[d + p * NR + 2] = Float.float16ToFloat(src.get(I16, a2 + o));
                        dst[d + p * NR + 3] = Float.float16ToFloat(src.get(I16, a3 + o));
                    }
                }
                default -> throw new IllegalArgumentException("cannot multiply by " + dtype);
            }
        }
        for (; c < NR; c++) {
            long at = ((j + c) * b.colStride() + p0) * size;
            for (int p = 0; p < kc; p++) {
                dst[panel + p * NR + c] = c < nr ? element(src, dtype, at + p * size) : 0f;
            }
        }
    }

    static float element(MemorySegment src, DType dtype, long byteOffset) {
        return switch (dtype) {
            case F32 -> src.get(F32, byteOffset);
            case BF16 -> Float.intBitsToFloat(src.get(I16, byteOffset) << 16);
            case F16 -> Float.float16ToFloat(src.get(I16, byteOffset));
            default -> throw new IllegalArgumentException("cannot multiply by " + dtype);
        };
    }
}
