package dev.ibex.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GEMM micro-kernel: an {@code MR × NR} tile of C from an A micro-panel ({@code MR} rows, k-major) and a B
 * micro-panel ({@code NR} columns, k-major), both packed by {@link GemmPacking}.
 *
 * <p>Shape 4 × (2 vectors): eight accumulators, two B loads and four broadcasts per k, which leaves C2 enough of the
 * sixteen AVX2 registers not to spill. Measured here: ≈ 90 GFLOP/s on one Zen 3 core, while 6 × 16 and 4 × 24
 * (twelve accumulators) spilled and ran at ≈ 37. With 512-bit vectors the same code is a 4 × 32 kernel.
 *
 * <p>The kernel writes its accumulators to a small heap tile and {@link #store} merges the tile into C; that
 * extra round trip costs 16 vector moves per {@code MR·NR·kc} FMAs and keeps the hot loop free of edge cases,
 * bias and accumulate flags.
 */
final class GemmMicroKernel {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    static final int MR = 4;
    static final int NR = 2 * L;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private GemmMicroKernel() {
    }

    /**
     * {@code tile[r·NR + j] = Σ_p a[ao + p·MR + r] · b[bo + p·NR + j]} for the full {@code MR × NR} tile.
     * Int loop counters on purpose: C2 hoists the bounds checks of int-indexed array loads.
     */
    static void multiply(int kc, float[] a, int ao, float[] b, int bo, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR;
            int ai = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(F, b, bi);
            FloatVector b1 = FloatVector.fromArray(F, b, bi + L);
            FloatVector a0 = FloatVector.broadcast(F, a[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(F, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(F, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(F, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
    }

    /**
     * Merges the top-left {@code mr × nr} of {@code tile} into C at byte offset {@code c0} (row stride
     * {@code ldc} floats): {@code C = (load ? C : 0) + tile + bias[j]}, with {@code bias} (byte offset
     * {@code bias0}, one float per column) skipped when null.
     */
    static void store(float[] tile, int mr, int nr, MemorySegment c, long c0, long ldc, boolean load,
                      MemorySegment bias, long bias0) {
        if (mr == MR && nr == NR) {
            FloatVector bias0v = null, bias1v = null;
            if (bias != null) {
                bias0v = FloatVector.fromMemorySegment(F, bias, bias0, LE);
                bias1v = FloatVector.fromMemorySegment(F, bias, bias0 + 4L * L, LE);
            }
            for (int r = 0; r < MR; r++) {
                long row = c0 + r * ldc * 4L;
                FloatVector v0 = FloatVector.fromArray(F, tile, r * NR);
                FloatVector v1 = FloatVector.fromArray(F, tile, r * NR + L);
                if (bias != null) {
                    v0 = v0.add(bias0v);
                    v1 = v1.add(bias1v);
                }
                if (load) {
                    v0 = v0.add(FloatVector.fromMemorySegment(F, c, row, LE));
                    v1 = v1.add(FloatVector.fromMemorySegment(F, c, row + 4L * L, LE));
                }
                v0.intoMemorySegment(c, row, LE);
                v1.intoMemorySegment(c, row + 4L * L, LE);
            }
            return;
        }
        for (int r = 0; r < mr; r++) {
            long row = c0 + r * ldc * 4L;
            for (int j = 0; j < nr; j++) {
                float v = tile[r * NR + j];
                if (bias != null) {
                    v += bias.get(CpuMatmul.F32, bias0 + 4L * j);
                }
                if (load) {
                    v += c.get(CpuMatmul.F32, row + 4L * j);
                }
                c.set(CpuMatmul.F32, row + 4L * j, v);
            }
        }
    }
}
