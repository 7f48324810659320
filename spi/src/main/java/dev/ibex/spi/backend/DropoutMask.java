package dev.ibex.spi.backend;

/**
 * The dropout mask every backend uses, as a pure function of {@code (seed, index)}: no generator state, so the
 * backward pass (and a gradient-checkpointing replay) rebuilds exactly the forward mask, elements can be computed
 * in any order by any number of threads, and two backends given the same seed drop the same elements.
 *
 * <p>Element {@code index} (flat, row-major) draws the {@code index}-th output (0-based) of a SplitMix64
 * generator (Steele, Lea and Flood 2014; {@link java.util.SplittableRandom}'s algorithm) whose state starts at
 * {@code s = mix64(seed + γ)}, the first output of a SplitMix64 seeded with {@code seed}:
 * {@code z = mix64(s + (index + 1)·γ)} with {@code γ = 0x9E3779B97F4A7C15}. Its top 24 bits make a uniform float
 * {@code u = (z >>> 40)·2⁻²⁴} in {@code [0, 1)}, and the element is kept iff {@code u ≥ p}, so it is dropped with
 * probability {@code p} (up to the 2⁻²⁴ grid). Scrambling the seed first matters: seeds that differ by a
 * multiple of γ would otherwise give the same mask shifted by a few elements.
 *
 * <p>In Java: {@code new SplittableRandom(new SplittableRandom(seed).nextLong())} yields the draws in order.
 *
 * <p>{@link ElementwiseKernels#dropout} computes {@code out[i] = keep(seed, i, p) ? x[i]·scale(p) : 0}.
 */
public final class DropoutMask {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private DropoutMask() {
    }

    /** Whether element {@code index} survives dropout with probability {@code p} under {@code seed}. */
    public static boolean keep(long seed, long index, float p) {
        return uniform(seed, index) >= p;
    }

    /** The uniform draw {@code u ∈ [0, 1)} of element {@code index}, a multiple of 2⁻²⁴. */
    public static float uniform(long seed, long index) {
        long state = mix64(seed + GOLDEN_GAMMA);
        return (mix64(state + (index + 1) * GOLDEN_GAMMA) >>> 40) * 0x1.0p-24f;
    }

    /** SplitMix64's output function (Stafford's "Mix13"). */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The factor kept elements are multiplied by, {@code 1/(1 - p)} rounded to F32 (as torch's inverted dropout);
     * 0 when {@code p ≥ 1}, where every element is dropped.
     */
    public static float scale(float p) {
        return p >= 1f ? 0f : 1f / (1f - p);
    }
}
