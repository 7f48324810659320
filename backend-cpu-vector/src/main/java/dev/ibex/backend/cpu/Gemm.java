package dev.ibex.backend.cpu;

import static dev.ibex.backend.cpu.GemmMicroKernel.MR;
import static dev.ibex.backend.cpu.GemmMicroKernel.NR;

import dev.ibex.backend.cpu.GemmPacking.Operand;
import java.lang.foreign.MemorySegment;

/**
 * The packed GEMM {@code C[m, n] (+)= A[m, k]·B[k, n] (+ bias[n])}, cache-blocked in the BLIS/GotoBLAS order:
 * <pre>
 *   for jc in N step NC          B block kc × nc (≤ 1 MB) stays in L2/L3
 *     for pc in K step KC          pack B[pc, jc], F16/BF16 converted here
 *       for ic in M step MC          pack A[ic, pc]: mc × kc = 128 KB, stays in L2
 *         for jr in nc step NR         one B micro-panel, kc × NR = 16 KB, stays in L1
 *           for ir in mc step MR         micro-kernel
 * </pre>
 * Threads split C into column (or, when C is narrow, row) strips; each strip runs the loops above on its own
 * thread-local packing buffers, so there is no synchronisation inside a product. Column strips share A, which
 * each one packs again, but A is the activation (small next to the weight for decode-sized and prefill-sized
 * products) and the duplicate packing costs {@code 1/(2·strip width)} of the arithmetic.
 */
final class Gemm {
    static final int KC = 256;
    static final int MC = 128;
    static final int NC = 1024;
    /** Below this many multiply-adds a product runs on the calling thread (a pool hand-off costs microseconds). */
    private static final long PARALLEL_MIN_MACS = 1L << 18;
    /** The narrowest column strip worth its own A packing. */
    private static final int MIN_STRIP_COLUMNS = 128;

    /** Per-thread packing buffers and the kernel's output tile, allocated once per thread. */
    private static final class Buffers {
        final float[] a = new float[MC * KC];
        final float[] b = new float[KC * NC];
        final float[] tile = new float[MR * NR];
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private final WorkerPool pool;

    Gemm(WorkerPool pool) {
        this.pool = pool;
    }

    /**
     * {@code C = (accumulate ? C : 0) + A·B + bias} where C is F32 row-major with row stride {@code ldc}
     * floats, and {@code bias} (one F32 per column of C) may be null. {@code k} may be 0.
     */
    void multiply(int m, int n, int k, Operand a, Operand b, MemorySegment c, int ldc, MemorySegment bias,
                  boolean accumulate) {
        if (m == 0 || n == 0) {
            return;
        }
        long macs = (long) m * n * Math.max(k, 1);
        int threads = pool.threads();
        if (threads == 1 || macs < PARALLEL_MIN_MACS) {
            strip(0, m, 0, n, k, a, b, c, ldc, bias, accumulate);
            return;
        }
        if (n >= threads * MIN_STRIP_COLUMNS) {
            // Several strips per thread when C is wide, so a thread slowed by a neighbour's job takes fewer.
            int strips = threads * Math.clamp(n / (threads * 2L * MIN_STRIP_COLUMNS), 1, 4);
            int panels = (n + NR - 1) / NR;
            pool.run(strips, s -> {
                int j0 = Math.min(n, panels * s / strips * NR);
                int j1 = Math.min(n, panels * (s + 1) / strips * NR);
                strip(0, m, j0, j1, k, a, b, c, ldc, bias, accumulate);
            });
        } else {
            int blocks = (m + MR - 1) / MR;
            int strips = Math.min(blocks, threads * 2);
            pool.run(strips, s -> {
                int i0 = Math.min(m, blocks * s / strips * MR);
                int i1 = Math.min(m, blocks * (s + 1) / strips * MR);
                strip(i0, i1, 0, n, k, a, b, c, ldc, bias, accumulate);
            });
        }
    }

    /** Rows {@code [i0, i1)}, columns {@code [j0, j1)} of C, on the calling thread. */
    private static void strip(int i0, int i1, int j0, int j1, int k, Operand a, Operand b, MemorySegment c,
                              int ldc, MemorySegment bias, boolean accumulate) {
        if (i0 >= i1 || j0 >= j1) {
            return;
        }
        if (k == 0) {
            initialise(i0, i1, j0, j1, c, ldc, bias, accumulate);
            return;
        }
        Buffers buf = BUFFERS.get();
        // Equal K blocks: K = 257 runs as 129 + 128, not 256 + 1.
        int kBlocks = (k + KC - 1) / KC;
        int kcMax = (k + kBlocks - 1) / kBlocks;
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                GemmPacking.packB(b, pc, kc, jc, nc, buf.b);
                boolean load = accumulate || pc > 0;
                MemorySegment blockBias = pc == 0 ? bias : null;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    GemmPacking.packA(a, ic, mc, pc, kc, buf.a);
                    macroKernel(buf, mc, nc, kc, c, ic, jc, ldc, load, blockBias);
                }
            }
        }
    }

    /** All micro-tiles of one packed A block times one packed B block. */
    private static void macroKernel(Buffers buf, int mc, int nc, int kc, MemorySegment c, int ic, int jc, int ldc,
                                    boolean load, MemorySegment bias) {
        float[] tile = buf.tile;
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int bo = jr * kc;
            long biasAt = 4L * (jc + jr);
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                GemmMicroKernel.multiply(kc, buf.a, ir * kc, buf.b, bo, tile);
                long at = 4L * ((long) (ic + ir) * ldc + jc + jr);
                GemmMicroKernel.store(tile, mr, nr, c, at, ldc, load, bias, biasAt);
            }
        }
    }

    /** The K = 0 product: C keeps its value or becomes 0, plus the bias. */
    private static void initialise(int i0, int i1, int j0, int j1, MemorySegment c, int ldc, MemorySegment bias,
                                   boolean accumulate) {
        for (int i = i0; i < i1; i++) {
            for (int j = j0; j < j1; j++) {
                long at = 4L * ((long) i * ldc + j);
                float v = accumulate ? c.get(CpuMatmul.F32, at) : 0f;
                if (bias != null) {
                    v += bias.get(CpuMatmul.F32, 4L * j);
                }
                c.set(CpuMatmul.F32, at, v);
            }
        }
    }
}
