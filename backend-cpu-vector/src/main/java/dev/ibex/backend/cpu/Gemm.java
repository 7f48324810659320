package dev.ibex.backend.cpu;

import static dev.ibex.backend.cpu.GemmMicroKernel.MR;
import static dev.ibex.backend.cpu.GemmMicroKernel.NR;

import dev.ibex.backend.cpu.GemmPacking.Operand;
import dev.ibex.backend.cpu.GemmPacking.PanelSource;
import java.lang.foreign.MemorySegment;

/**
 * The packed GEMM {@code C[m, n] (+)= A[m, k]·B[k, n] (+ bias[n])}, cache-blocked in the BLIS/GotoBLAS order:
 * <pre>
 *   for jc in N step NC          B block kc × nc (≤ 4 MB) stays in L3
 *     for pc in K step KC          pack B[pc, jc], F16/BF16 converted here
 *       for ic in M step MC          pack A[ic, pc]: mc × kc ≤ 128 KB, stays in L2
 *         for jr in nc step NR         one B micro-panel, kc × NR = 16 KB, stays in L1
 *           for ir in mc step MR         micro-kernel
 * </pre>
 * Two ways to share the work between threads, chosen by the shape of C:
 * <ul>
 *   <li>Tall C (M ≥ four 32-row blocks per thread: prefill and training): the threads pack each B block together, then
 *       take row blocks of A, each packing only its own rows. Nothing is packed twice; the price is two
 *       fork-joins per B block.
 *   <li>Short C (few rows, wide): each thread takes column strips and runs all loops on its own, packing its part
 *       of B, and the (small) A again per strip.
 * </ul>
 * Packing buffers are thread-local and allocated once per thread.
 */
final class Gemm {
    static final int KC = 256;
    static final int MC = 128;
    static final int NC = 4096;
    /** Below this many multiply-adds a product runs on the calling thread (a pool hand-off costs microseconds). */
    private static final long PARALLEL_MIN_MACS = 1L << 18;
    /** The narrowest column strip worth its own copy of packed A. */
    private static final int MIN_STRIP_COLUMNS = 128;
    /** The shortest row block handed to a thread in the shared-B scheme. */
    private static final int MIN_ROW_BLOCK = 32;

    /** Per-thread packing buffers and the kernel's output tile. */
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
    void multiply(int m, int n, int k, Operand a, PanelSource b, MemorySegment c, int ldc, MemorySegment bias,
                  boolean accumulate) {
        if (m == 0 || n == 0) {
            return;
        }
        int threads = pool.threads();
        if (k == 0) {
            initialise(0, m, 0, n, c, ldc, bias, accumulate);
        } else if (threads == 1 || (long) m * n * k < PARALLEL_MIN_MACS) {
            strip(0, m, 0, n, k, a, b, c, ldc, bias, accumulate);
        } else if (m >= 4 * threads * MIN_ROW_BLOCK) {
            sharedB(m, n, k, a, b, c, ldc, bias, accumulate);
        } else {
            // Several strips per thread when C is wide, so a thread slowed by a neighbour's job takes fewer.
            int strips = n < threads * MIN_STRIP_COLUMNS
                    ? threads : threads * Math.clamp(n / (threads * 2L * MIN_STRIP_COLUMNS), 1, 4);
            int panels = (n + NR - 1) / NR;
            int count = Math.min(strips, panels);
            pool.run(count, s -> {
                int j0 = panels * s / count * NR;
                int j1 = Math.min(n, panels * (s + 1) / count * NR);
                strip(0, m, j0, j1, k, a, b, c, ldc, bias, accumulate);
            });
        }
    }

    /** Tall C: B blocks packed by all threads into the caller's buffer, row blocks of A shared out. */
    private void sharedB(int m, int n, int k, Operand a, PanelSource b, MemorySegment c, int ldc, MemorySegment bias,
                         boolean accumulate) {
        int threads = pool.threads();
        float[] packedB = BUFFERS.get().b;
        // Four row blocks per thread at least, for balance; MR-aligned; no taller than MC.
        int rows = Math.clamp((m / (4 * threads)) / MR * MR, MIN_ROW_BLOCK, MC);
        int rowBlocks = (m + rows - 1) / rows;
        int kc = blockedK(k);
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int panels = (nc + NR - 1) / NR;
            int packers = Math.min(threads, panels);
            for (int pc = 0; pc < k; pc += kc) {
                int kb = Math.min(kc, k - pc);
                int jcf = jc;
                int pcf = pc;
                pool.run(packers, t -> {
                    int t0 = panels * t / packers;
                    int t1 = panels * (t + 1) / packers;
                    int width = Math.min(nc, t1 * NR) - t0 * NR;
                    b.packB(pcf, kb, jcf + t0 * NR, width, packedB, t0 * NR * kb);
                });
                boolean load = accumulate || pc > 0;
                MemorySegment blockBias = pc == 0 ? bias : null;
                pool.run(rowBlocks, r -> {
                    Buffers own = BUFFERS.get();
                    int ic = r * rows;
                    int mc = Math.min(rows, m - ic);
                    GemmPacking.packA(a, ic, mc, pcf, kb, own.a);
                    macroKernel(own.a, packedB, own.tile, mc, nc, kb, c, ic, jcf, ldc, load, blockBias);
                });
            }
        }
    }

    /** Rows {@code [i0, i1)}, columns {@code [j0, j1)} of C, on the calling thread. */
    private static void strip(int i0, int i1, int j0, int j1, int k, Operand a, PanelSource b, MemorySegment c,
                              int ldc, MemorySegment bias, boolean accumulate) {
        if (i0 >= i1 || j0 >= j1) {
            return;
        }
        Buffers buf = BUFFERS.get();
        int kc = blockedK(k);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += kc) {
                int kb = Math.min(kc, k - pc);
                b.packB(pc, kb, jc, nc, buf.b, 0);
                boolean load = accumulate || pc > 0;
                MemorySegment blockBias = pc == 0 ? bias : null;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    GemmPacking.packA(a, ic, mc, pc, kb, buf.a);
                    macroKernel(buf.a, buf.b, buf.tile, mc, nc, kb, c, ic, jc, ldc, load, blockBias);
                }
            }
        }
    }

    /** Equal K blocks of at most KC: K = 257 runs as 129 + 128, not 256 + 1. */
    private static int blockedK(int k) {
        int blocks = (k + KC - 1) / KC;
        return (k + blocks - 1) / blocks;
    }

    /** All micro-tiles of one packed A block times one packed B block. */
    private static void macroKernel(float[] packedA, float[] packedB, float[] tile, int mc, int nc, int kc,
                                    MemorySegment c, int ic, int jc, int ldc, boolean load, MemorySegment bias) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int bo = jr * kc;
            long biasAt = 4L * (jc + jr);
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                GemmMicroKernel.multiply(kc, packedA, ir * kc, packedB, bo, tile);
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
