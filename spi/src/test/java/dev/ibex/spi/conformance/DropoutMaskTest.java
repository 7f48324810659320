package dev.ibex.spi.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.backend.DropoutMask;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The shared dropout mask is SplitMix64, keeps each element with probability 1 − p, and is order-free. */
class DropoutMaskTest {

    @Test
    void drawsAreTheSplitMix64Stream() {
        // SplittableRandom(seed) is SplitMix64 with the golden gamma; the mask's stream starts at the first output
        // of the one seeded with the seed.
        for (long seed : new long[] {0, 1, -7, 0x9E3779B97F4A7C15L}) {
            SplittableRandom stream = new SplittableRandom(new SplittableRandom(seed).nextLong());
            for (int i = 0; i < 1000; i++) {
                float expected = (stream.nextLong() >>> 40) * 0x1.0p-24f;
                assertEquals(expected, DropoutMask.uniform(seed, i), "seed " + seed + " index " + i);
            }
        }
    }

    @Test
    void keepsAboutOneMinusP() {
        int n = 200_000;
        for (float p : new float[] {0.05f, 0.1f, 0.5f, 0.9f}) {
            int kept = 0;
            for (int i = 0; i < n; i++) {
                kept += DropoutMask.keep(42, i, p) ? 1 : 0;
            }
            double sd = Math.sqrt(n * p * (1 - p));
            assertTrue(Math.abs(kept - n * (1 - p)) < 5 * sd, kept + " of " + n + " kept at p=" + p);
        }
    }

    @Test
    void extremes() {
        for (int i = 0; i < 10_000; i++) {
            assertTrue(DropoutMask.keep(3, i, 0f), "p = 0 keeps everything");
            assertFalse(DropoutMask.keep(3, i, 1f), "p = 1 drops everything");
        }
        assertEquals(1f, DropoutMask.scale(0f));
        assertEquals(2f, DropoutMask.scale(0.5f));
        assertEquals(1f / 0.9f, DropoutMask.scale(0.1f));
        assertEquals(0f, DropoutMask.scale(1f));
    }

    @Test
    void relatedSeedsGiveUnrelatedMasks() {
        // Neighbouring seeds, and seeds one gamma apart (which unscrambled SplitMix64 would turn into the same
        // mask shifted by one element), must agree on about half the elements, shifted or not.
        long gamma = 0x9E3779B97F4A7C15L;
        int n = 100_000;
        int neighbours = 0;
        int shifted = 0;
        for (int i = 0; i < n; i++) {
            neighbours += DropoutMask.keep(1000, i, 0.5f) == DropoutMask.keep(1001, i, 0.5f) ? 1 : 0;
            shifted += DropoutMask.keep(1000, i + 1, 0.5f) == DropoutMask.keep(1000 + gamma, i, 0.5f) ? 1 : 0;
        }
        double sd = Math.sqrt(n / 4.0);
        assertTrue(Math.abs(neighbours - n / 2.0) < 5 * sd, neighbours + " of " + n + " agree");
        assertTrue(Math.abs(shifted - n / 2.0) < 5 * sd, shifted + " of " + n + " agree after a shift");
    }
}
