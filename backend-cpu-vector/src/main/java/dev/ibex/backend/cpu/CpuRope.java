package dev.ibex.backend.cpu;

import static dev.ibex.backend.cpu.Dense.L;
import static dev.ibex.backend.cpu.Dense.S;
import static dev.ibex.backend.cpu.Dense.get;
import static dev.ibex.backend.cpu.Dense.load;
import static dev.ibex.backend.cpu.Dense.set;
import static dev.ibex.backend.cpu.Dense.store;

import dev.ibex.spi.backend.RopeKernels;
import dev.ibex.spi.backend.RopeSpec;
import dev.ibex.spi.backend.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Rotary embeddings, half-split layout: rows split across the pool, each head's two halves rotated with vector
 * multiplies and adds in the reference's F32 order (no fused multiply-add), so results are bit-identical to it.
 *
 * <p>The cosines and sines depend on the position only, so they are tabulated once per position in use, and the
 * table is kept for the next call: every layer's q and k, forward and backward, rotate by the same positions.
 */
final class CpuRope implements RopeKernels {
    /** Row elements per chunk. */
    private static final int GRAIN = 1 << 14;

    private final WorkerPool pool;
    /** The last table: reused while the spec matches and covers the positions (the backend is single-caller). */
    private Table table;

    CpuRope(WorkerPool pool) {
        this.pool = pool;
    }

    /**
     * cos/sin of positions {@code [first, first + count)}: entry {@code (p − first)·half + i} holds the angle
     * {@code ((float) p / positionScale)·invFreq[i]} in F32, as HF computes it.
     */
    private record Table(RopeSpec spec, int first, int count, float[] cos, float[] sin) {
        boolean covers(RopeSpec other, int min, int max) {
            return min >= first && max < first + count && spec.equals(other);
        }
    }

    private Table table(RopeSpec spec, int min, int max) {
        if (table != null && table.covers(spec, min, max)) {
            return table;
        }
        int half = spec.invFreq().length;
        int count = max - min + 1;
        float[] inv = spec.invFreq().clone();
        float[] cos = new float[count * half];
        float[] sin = new float[count * half];
        pool.range(count, Math.max(1, 4096 / Math.max(1, half)), (from, to) -> {
            for (int p = from; p < to; p++) {
                float t = (float) (min + p) / spec.positionScale();
                for (int i = 0; i < half; i++) {
                    float angle = t * inv[i];
                    cos[p * half + i] = (float) Math.cos(angle);
                    sin[p * half + i] = (float) Math.sin(angle);
                }
            }
        });
        table = new Table(spec, min, count, cos, sin);
        return table;
    }

    public void rope(Tensor x, Tensor positions, RopeSpec spec, Tensor out, boolean inverse, boolean accumulate) {
        CpuTensor xt = CpuTensor.f32(x, "x");
        if (!out.shape().equals(x.shape())) {
            throw new IllegalArgumentException("rope: out " + out.shape() + " does not match x " + x.shape());
        }
        int rows = xt.rows();
        int cols = xt.cols();
        int headDim = spec.headDim();
        int half = spec.rotaryDim() / 2;
        if (cols % headDim != 0 || spec.rotaryDim() > headDim) {
            throw new IllegalArgumentException("rope: " + cols + " columns are not heads of " + headDim
                    + " with " + spec.rotaryDim() + " rotary dims");
        }
        if (positions.numel() != rows) {
            throw new IllegalArgumentException("rope: " + positions.numel() + " positions for " + rows + " rows");
        }
        int[] pos = Dense.i32(positions, "positions").toArray(Dense.I32);
        if (rows == 0) {
            return;
        }
        int min = Arrays.stream(pos).min().orElseThrow();
        int max = Arrays.stream(pos).max().orElseThrow();
        // A table over [min, max] unless the positions are sparse in it (e.g. one far-out row): then one per row.
        boolean dense = (long) max - min < Math.max(rows, 4096);
        float[] cos;
        float[] sin;
        int[] entry = new int[rows];
        if (dense) {
            Table t = table(spec, min, max);
            cos = t.cos();
            sin = t.sin();
            for (int r = 0; r < rows; r++) {
                entry[r] = (pos[r] - t.first()) * half;
            }
        } else {
            cos = new float[rows * half];
            sin = new float[rows * half];
            float[] inv = spec.invFreq();
            for (int r = 0; r < rows; r++) {
                float t = (float) pos[r] / spec.positionScale();
                for (int i = 0; i < half; i++) {
                    float angle = t * inv[i];
                    cos[r * half + i] = (float) Math.cos(angle);
                    sin[r * half + i] = (float) Math.sin(angle);
                }
                entry[r] = r * half;
            }
        }
        MemorySegment in = xt.data();
        MemorySegment o = Dense.f32(out, "out");
        int heads = cols / headDim;
        float[] c = cos;
        float[] s = sin;
        pool.range(rows, Math.max(1, GRAIN / Math.max(1, cols)), (from, to) -> {
            for (int r = from; r < to; r++) {
                int e = entry[r];
                for (int h = 0; h < heads; h++) {
                    rotate(in, o, r * cols + h * headDim, half, headDim, c, s, e, inverse, accumulate);
                }
            }
        });
    }

    /** One head at element {@code base}: dims i and i + half rotate by the table's entry {@code e}. */
    private static void rotate(MemorySegment in, MemorySegment o, int base, int half, int headDim, float[] cos,
                               float[] sin, int e, boolean inverse, boolean accumulate) {
        int i = 0;
        for (int end = S.loopBound(half); i < end; i += L) {
            FloatVector x1 = load(in, base + i);
            FloatVector x2 = load(in, base + half + i);
            FloatVector c = FloatVector.fromArray(S, cos, e + i);
            FloatVector s = FloatVector.fromArray(S, sin, e + i);
            // x·cos + rotate_half(x)·sin, rotate_half(x) = (−x2, x1); the inverse rotates by −angle.
            FloatVector y1 = inverse ? x1.mul(c).add(x2.mul(s)) : x1.mul(c).sub(x2.mul(s));
            FloatVector y2 = inverse ? x2.mul(c).sub(x1.mul(s)) : x2.mul(c).add(x1.mul(s));
            if (accumulate) {
                y1 = load(o, base + i).add(y1);
                y2 = load(o, base + half + i).add(y2);
            }
            store(y1, o, base + i);
            store(y2, o, base + half + i);
        }
        for (; i < half; i++) {
            float x1 = get(in, base + i);
            float x2 = get(in, base + half + i);
            float c = cos[e + i];
            float s = sin[e + i];
            float y1 = inverse ? x1 * c + x2 * s : x1 * c - x2 * s;
            float y2 = inverse ? x2 * c - x1 * s : x2 * c + x1 * s;
            set(o, base + i, accumulate ? get(o, base + i) + y1 : y1);
            set(o, base + half + i, accumulate ? get(o, base + half + i) + y2 : y2);
        }
        for (int d = 2 * half; d < headDim; d++) {
            float v = get(in, base + d);
            set(o, base + d, accumulate ? get(o, base + d) + v : v);
        }
    }
}
