package dev.ibex.quant.nf4;

import java.util.Arrays;

/**
 * The code tables of bitsandbytes' 4-bit formats and of the 8-bit "dynamic" map that double quantization uses,
 * as float32 values exactly as bitsandbytes holds them (its tables are float32 tensors).
 */
final class Codebooks {
    /** NF4: quantiles of N(0, 1) scaled to [-1, 1], with an exact zero (QLoRA, bnb {@code get_4bit_type("nf4")}). */
    static final float[] NF4 = {
            -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
            -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
            0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
            0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f};

    /**
     * FP4 (E2M1, sign in bit 3) in bit-pattern order: the low three bits encode 0, 0.0625, 8, 12, 4, 6, 2, 3, all
     * divided by 12 so the largest magnitude is 1 (bnb {@code get_4bit_type("fp4")}).
     */
    static final float[] FP4 = fp4();

    /** FP4's magnitude codes (bits 2..0) in increasing order of magnitude: 0, 1/192, 2/12, 3/12, 4/12, 6/12, 8/12, 1. */
    static final int[] FP4_BITS_BY_MAGNITUDE = {0b000, 0b001, 0b110, 0b111, 0b100, 0b101, 0b010, 0b011};

    private Codebooks() {
    }

    private static float[] fp4() {
        float[] magnitudes = {0f, 0.0625f, 8f, 12f, 4f, 6f, 2f, 3f};
        float[] code = new float[16];
        for (int i = 0; i < 8; i++) {
            code[i] = magnitudes[i] / 12f;
            code[i + 8] = -magnitudes[i] / 12f;
        }
        return code;
    }

    /**
     * bnb's {@code create_dynamic_map(signed=True, max_exponent_bits=7, total_bits=8)}: for exponent
     * {@code e = 0..6}, the midpoints of {@code 2^e + 1} evenly spaced points in [0.1, 1], times {@code 10^(e-6)},
     * with both signs; then 0 and 1; 256 values, sorted. Computed in float32 like torch does it, including
     * {@code torch.linspace}'s two-sided formula, so that the table is bit-identical to bitsandbytes'.
     */
    static float[] dynamicMap() {
        double[] powersOfTen = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1};
        float[] data = new float[256];
        int n = 0;
        for (int e = 0; e < 7; e++) {
            float[] boundaries = linspace(0.1f, 1f, (1 << e) + 1);
            float scale = (float) powersOfTen[e];
            for (int i = 0; i + 1 < boundaries.length; i++) {
                float mean = (boundaries[i] + boundaries[i + 1]) / 2f;
                data[n++] = scale * mean;
                data[n++] = -scale * mean;
            }
        }
        data[n++] = 0f;
        data[n++] = 1f;
        if (n != 256) {
            throw new AssertionError("dynamic map has " + n + " values");
        }
        Arrays.sort(data);
        return data;
    }

    /**
     * {@code torch.linspace} on float32 as torch's CPU kernel computes it on an AVX2 machine (bnb builds the map
     * on the CPU): the first half counted up from {@code start}, the rest down from {@code end}; whole pairs of
     * 8-wide vectors take {@code base + j·step} from a base per vector, the remaining elements are computed one by
     * one; the compiler fuses {@code start + step·i} into one rounding. Other torch builds (other vector widths)
     * differ from this in the last bit of a few of the 256 entries, which is harmless: the map is saved next to
     * the codes that index it, and {@code tools/quant-reference} checks this one against torch.
     */
    static float[] linspace(float start, float end, int steps) {
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        int vectorized = steps - steps % 16;
        for (int i = 0; i < steps; i++) {
            if (i < vectorized) {
                int base = i - i % 8;
                out[i] = position(start, end, step, base, halfway, steps) + (i - base) * step;
            } else {
                out[i] = position(start, end, step, i, halfway, steps);
            }
        }
        return out;
    }

    private static float position(float start, float end, float step, int i, int halfway, int steps) {
        return i < halfway ? Math.fma(step, (float) i, start) : Math.fma(-step, (float) (steps - i - 1), end);
    }

    /**
     * The decision points between neighbouring values of a sorted table, in float32 as bitsandbytes' reference
     * computes them ({@code (code[:-1] + code[1:]) / 2}); a value goes to the higher code only when it is strictly
     * greater than the point between them.
     */
    static float[] midpoints(float[] sorted) {
        float[] mid = new float[sorted.length - 1];
        for (int i = 0; i < mid.length; i++) {
            mid[i] = (sorted[i] + sorted[i + 1]) / 2f;
        }
        return mid;
    }

    /** The index of the nearest table value: how many decision points lie strictly below {@code x}. */
    static int nearest(float[] midpoints, float x) {
        int lo = 0;
        int hi = midpoints.length;
        while (lo < hi) {
            int m = (lo + hi) >>> 1;
            if (midpoints[m] < x) {
                lo = m + 1;
            } else {
                hi = m;
            }
        }
        return lo;
    }
}
