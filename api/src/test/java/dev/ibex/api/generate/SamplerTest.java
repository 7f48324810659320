package dev.ibex.api.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The logits processors and warpers with transformers' semantics, on hand-computed cases. */
class SamplerTest {
    private static final float NEG = Float.NEGATIVE_INFINITY;

    @Test
    void greedyPicksTheFirstMaximum() {
        assertEquals(1, Sampler.argmax(new float[] {0f, 3f, 3f, -1f}));
        Sampler s = new Sampler(SamplingParams.greedy(5));
        assertEquals(2, s.next(new float[] {1f, 2f, 5f}, new int[0], 0));
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOncePerDistinctToken() {
        float[] logits = {2f, -2f, 4f, 1f};
        Sampler.applyRepetitionPenalty(logits, new int[] {0, 1, 0, 0, 1}, 5, 2f);
        assertArrayEquals(new float[] {1f, -4f, 4f, 1f}, logits);
    }

    @Test
    void repetitionPenaltyCanChangeTheGreedyChoice() {
        Sampler s = new Sampler(new SamplingParams(5, 0, 0, 1, 3.0, 0, List.of(), true));
        assertEquals(1, s.next(new float[] {3f, 2f}, new int[] {0}, 1));
    }

    @Test
    void topKKeepsTiesWithTheKthLargest() {
        float[] logits = {1f, 5f, 3f, 3f, 0f};
        Sampler.topK(logits, 2);
        assertArrayEquals(new float[] {NEG, 5f, 3f, 3f, NEG}, logits);
    }

    @Test
    void topPRemovesTheTailWhoseCumulativeProbabilityIsAtMostOneMinusP() {
        // probabilities 0.6, 0.3, 0.1 (logits are log-probs): with p = 0.8 the 0.1 token goes (0.1 <= 0.2), with
        // p = 0.95 it stays (0.1 > 0.05); the top token always survives.
        float[] logits = {(float) Math.log(0.1), (float) Math.log(0.6), (float) Math.log(0.3)};
        float[] a = logits.clone();
        Sampler.topP(a, 0.8);
        assertEquals(NEG, a[0]);
        assertTrue(a[1] > NEG && a[2] > NEG);
        float[] b = logits.clone();
        Sampler.topP(b, 0.95);
        assertTrue(b[0] > NEG);
        float[] c = logits.clone();
        Sampler.topP(c, 1e-9);
        assertEquals(NEG, c[0]);
        assertEquals(NEG, c[2]);
        assertTrue(c[1] > NEG, "the most likely token is always kept");
    }

    @Test
    void samplingFollowsTheSoftmaxAndASeedReproducesIt() {
        float[] logits = {(float) Math.log(0.7), (float) Math.log(0.2), (float) Math.log(0.1)};
        int[] counts = new int[3];
        Sampler s = new Sampler(new SamplingParams(1, 1.0, 0, 1.0, 1.0, 123, List.of(), true));
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            counts[s.next(logits.clone(), new int[0], 0)]++;
        }
        assertEquals(0.7, counts[0] / (double) n, 0.02);
        assertEquals(0.2, counts[1] / (double) n, 0.02);
        assertEquals(0.1, counts[2] / (double) n, 0.02);
        Sampler again = new Sampler(new SamplingParams(1, 1.0, 0, 1.0, 1.0, 123, List.of(), true));
        Sampler same = new Sampler(new SamplingParams(1, 1.0, 0, 1.0, 1.0, 123, List.of(), true));
        for (int i = 0; i < 100; i++) {
            assertEquals(again.next(logits.clone(), new int[0], 0), same.next(logits.clone(), new int[0], 0));
        }
    }

    @Test
    void lowTemperatureSharpensAndTopKOneIsGreedy() {
        float[] logits = {1f, 1.5f, 0.5f};
        Sampler cold = new Sampler(new SamplingParams(1, 0.01, 0, 1.0, 1.0, 7, List.of(), true));
        Sampler k1 = new Sampler(new SamplingParams(1, 5.0, 1, 1.0, 1.0, 7, List.of(), true));
        for (int i = 0; i < 200; i++) {
            assertEquals(1, cold.next(logits.clone(), new int[0], 0));
            assertEquals(1, k1.next(logits.clone(), new int[0], 0));
        }
    }

    @Test
    void streamedTextHoldsBackWhatMightBecomeAStopString() {
        List<String> stops = List.of("### Instruction:");
        assertEquals(5, TextGenerator.safeLength("Hello", stops));
        assertEquals(6, TextGenerator.safeLength("Hello ###", stops));
        assertEquals(6, TextGenerator.safeLength("Hello ### Instruction: more", stops));
        assertEquals(12, TextGenerator.safeLength("Hello ### In", List.of("x")) );
    }
}
