package dev.ibex.backend.cpu;

import static dev.ibex.backend.cpu.GemmMicroKernel.NR;

import java.util.Arrays;

/**
 * The B operand of a GEMM over a quantized weight: each block of B is dequantized straight into the packed panel
 * layout ({@link GemmPacking}), so a product touches one {@code kc × nc} block of F32 at a time (at most 4 MB in the
 * per-thread packing buffer), never the whole dequantized weight.
 */
final class QuantPanels {
    /** One decoded weight row segment per thread (B blocks are at most NC wide). */
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[Gemm.NC + NR]);

    private QuantPanels() {
    }

    /** B = Wᵀ ({@code x·Wᵀ}, the forward product): panel columns are runs of weight rows. */
    static GemmPacking.PanelSource transposed(QuantRows w) {
        return (p0, kc, j0, nc, dst, offset) -> {
            for (int t = 0, panel = offset; t < nc; t += NR, panel += kc * NR) {
                int nr = Math.min(NR, nc - t);
                for (int c = 0; c < nr; c++) {
                    w.decode(j0 + t + c, p0, kc, dst, panel + c, NR);
                }
                for (int c = nr; c < NR; c++) {
                    for (int p = 0; p < kc; p++) {
                        dst[panel + p * NR + c] = 0f;
                    }
                }
            }
        };
    }

    /**
     * B = W ({@code dy·W}, the input gradient): each weight row segment is decoded once into a row buffer, then
     * spread over the panels.
     */
    static GemmPacking.PanelSource rowMajor(QuantRows w) {
        return (p0, kc, j0, nc, dst, offset) -> {
            float[] row = ROW.get();
            int padded = Math.ceilDiv(nc, NR) * NR;
            Arrays.fill(row, nc, padded, 0f);
            for (int p = 0; p < kc; p++) {
                w.decode(p0 + p, j0, nc, row, 0, 1);
                for (int t = 0, panel = offset; t < padded; t += NR, panel += kc * NR) {
                    System.arraycopy(row, t, dst, panel + p * NR, NR);
                }
            }
        };
    }
}
