package dev.ibex.spi.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.backend.AdamWStep;
import dev.ibex.spi.backend.AttentionSpec;
import dev.ibex.spi.backend.RopeSpec;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;
import org.junit.jupiter.api.Test;

/**
 * The reference forward kernels on inputs whose results are known by hand, pinning the conventions the finite
 * difference checks cannot see: which keys a query attends to (causality, sliding window, padding, GQA head
 * mapping, rows that see nothing), which dimensions RoPE pairs, the norms' statistics, the loss and the first
 * AdamW step.
 */
class ReferenceSemanticsTest {
    private final ReferenceBackend r = new ReferenceBackend();

    /**
     * Attention weights made visible: with q = 0 every visible key scores the same, and with v_j = one-hot(j) the
     * output row is the attention distribution itself.
     */
    private float[] attentionDistribution(int batch, int queryLen, int keyLen, int capacity, int queryStart,
                                          int heads, int kvHeads, int window, int[] mask, float[] lseOut) {
        int hd = capacity; // one dimension per key: v_j = e_j
        AttentionSpec spec = new AttentionSpec(batch, queryLen, keyLen, heads, kvHeads, hd, 1f, window);
        Tensor q = r.allocate(DType.F32, Shape.of(batch * queryLen, heads * hd));
        float[] v = new float[batch * capacity * kvHeads * hd];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < capacity; j++) {
                for (int g = 0; g < kvHeads; g++) {
                    // kv head g carries (g + 1)·e_j, so the output names the kv head that served it.
                    v[((b * capacity + j) * kvHeads + g) * hd + j] = g + 1;
                }
            }
        }
        Tensor vs = r.fromFloats(Shape.of(batch * capacity, kvHeads * hd), v);
        Tensor k = r.fromFloats(Shape.of(batch * capacity, kvHeads * hd), new float[v.length]);
        Tensor m = mask == null ? null : r.fromInts(Shape.of(batch, capacity), mask);
        Tensor out = r.allocate(DType.F32, Shape.of(batch * queryLen, heads * hd));
        Tensor lse = r.allocate(DType.F32, Shape.of(batch * heads * queryLen));
        r.attention(q, k, vs, m, queryStart, spec, out, lse);
        if (lseOut != null) {
            System.arraycopy(r.toFloats(lse), 0, lseOut, 0, lseOut.length);
        }
        return r.toFloats(out);
    }

    @Test
    void causalSlidingWindowSeesExactlyWindowKeys() {
        int n = 7;
        int window = 3;
        float[] lse = new float[n];
        float[] p = attentionDistribution(1, n, n, n, 0, 1, 1, window, null, lse);
        for (int i = 0; i < n; i++) {
            int visible = Math.min(i + 1, window);
            for (int j = 0; j < n; j++) {
                float expected = j <= i && j > i - window ? 1f / visible : 0f;
                assertEquals(expected, p[i * n + j], 1e-7, "query " + i + " key " + j);
            }
            assertEquals(Math.log(visible), lse[i], 1e-6, "lse of " + visible + " equal scores");
        }
    }

    @Test
    void queriesInsideACacheAndGroupedHeads() {
        // 4 query heads on 2 kv heads: heads 0,1 read kv head 0, heads 2,3 read kv head 1 (repeat_interleave).
        int capacity = 8;
        int keyLen = 6;
        float[] p = attentionDistribution(1, 2, keyLen, capacity, 4, 4, 2, 0, null, null);
        int cols = 4 * capacity;
        for (int t = 0; t < 2; t++) {
            int i = 4 + t;
            for (int h = 0; h < 4; h++) {
                float served = h / 2 + 1;
                for (int j = 0; j < capacity; j++) {
                    float expected = j <= i && j < keyLen ? served / (i + 1) : 0f;
                    assertEquals(expected, p[t * cols + h * capacity + j], 1e-7, "t " + t + " head " + h + " key " + j);
                }
            }
        }
    }

    @Test
    void paddingIsSkippedAndABlindRowAveragesEverything() {
        // Left padding: keys 0 and 1 of the sequence are padding. Queries 0 and 1 see nothing; HF's additive
        // minimum makes their scores all equal, so they average all keyLen values, future ones included.
        int n = 4;
        int[] mask = {0, 0, 1, 1};
        float[] lse = new float[n];
        float[] p = attentionDistribution(1, n, n, n, 0, 1, 1, 0, mask, lse);
        for (int j = 0; j < n; j++) {
            assertEquals(0.25f, p[j], 1e-7, "blind query 0, key " + j);
            assertEquals(0.25f, p[n + j], 1e-7, "blind query 1, key " + j);
            assertEquals(j == 2 ? 1f : 0f, p[2 * n + j], 1e-7, "query 2 sees only key 2");
            assertEquals(j >= 2 ? 0.5f : 0f, p[3 * n + j], 1e-7, "query 3 sees keys 2 and 3");
        }
        assertEquals(Float.NEGATIVE_INFINITY, lse[0], "the log of an empty sum");
        assertEquals(Float.NEGATIVE_INFINITY, lse[1]);
        assertEquals(0f, lse[2], 1e-7);
        assertEquals((float) Math.log(2), lse[3], 1e-7);
    }

    @Test
    void softmaxOfScaledScores() {
        // One query against two keys: weights softmax(scale·q·k).
        AttentionSpec spec = new AttentionSpec(1, 1, 2, 1, 1, 2, 0.5f, 0);
        Tensor q = r.fromFloats(Shape.of(1, 2), new float[] {1, 2});
        Tensor k = r.fromFloats(Shape.of(2, 2), new float[] {1, 0, 0, 1});
        Tensor v = r.fromFloats(Shape.of(2, 2), new float[] {10, 0, 0, 10});
        Tensor out = r.allocate(DType.F32, Shape.of(1, 2));
        Tensor lse = r.allocate(DType.F32, Shape.of(1));
        r.attention(q, k, v, null, 1, spec, out, lse);
        double e0 = Math.exp(0.5);
        double e1 = Math.exp(1.0);
        assertArrayEquals(new float[] {(float) (10 * e0 / (e0 + e1)), (float) (10 * e1 / (e0 + e1))},
                r.toFloats(out), 1e-6f);
        assertEquals(Math.log(e0 + e1), r.toFloats(lse)[0], 1e-6);
    }

    @Test
    void ropePairsDimensionJWithJPlusHalf() {
        // A unit vector on dimension j rotates into (cos, sin) on dims (j, j + rotaryDim/2); others pass through.
        RopeSpec spec = RopeSpec.standard(10, 8, 10_000, 1f);
        int position = 5;
        for (int j = 0; j < 4; j++) {
            float[] x = new float[10];
            x[j] = 1;
            x[9] = 7; // beyond the rotary dims
            Tensor out = r.allocate(DType.F32, Shape.of(1, 10));
            r.rope(r.fromFloats(Shape.of(1, 10), x), r.fromInts(Shape.of(1), new int[] {position}), spec, out, false,
                    false);
            float angle = position * spec.invFreq()[j];
            float[] expected = new float[10];
            expected[j] = (float) Math.cos(angle);
            expected[j + 4] = (float) Math.sin(angle);
            expected[9] = 7;
            assertArrayEquals(expected, r.toFloats(out), 0f, "dim " + j);
        }
        assertEquals(1f / (float) Math.pow(10_000f, 0.25f), spec.invFreq()[1], "inv_freq[i] = θ^(-2i/d)");
    }

    @Test
    void normsOnAKnownRow() {
        Tensor x = r.fromFloats(Shape.of(1, 4), new float[] {1, 2, 3, 4});
        Tensor w = r.fromFloats(Shape.of(4), new float[] {1, 1, 2, 1});
        Tensor y = r.allocate(DType.F32, Shape.of(1, 4));
        Tensor rstd = r.allocate(DType.F32, Shape.of(1));
        r.rmsNorm(x, w, 0f, y, rstd);
        double rms = Math.sqrt(30 / 4.0);
        assertArrayEquals(new float[] {(float) (1 / rms), (float) (2 / rms), (float) (6 / rms), (float) (4 / rms)},
                r.toFloats(y), 1e-6f);
        assertEquals(1 / rms, r.toFloats(rstd)[0], 1e-7);

        Tensor mean = r.allocate(DType.F32, Shape.of(1));
        Tensor b = r.fromFloats(Shape.of(4), new float[] {0, 0, 0, 1});
        r.layerNorm(x, w, b, 0f, y, mean, rstd);
        double sd = Math.sqrt(1.25); // biased variance of 1..4
        assertArrayEquals(new float[] {(float) (-1.5 / sd), (float) (-0.5 / sd), (float) (2 * 0.5 / sd),
                (float) (1.5 / sd + 1)}, r.toFloats(y), 1e-6f);
        assertEquals(2.5f, r.toFloats(mean)[0]);
    }

    @Test
    void crossEntropyOfUniformLogitsIsLogV() {
        Tensor logits = r.fromFloats(Shape.of(3, 5), new float[15]);
        Tensor labels = r.fromInts(Shape.of(3), new int[] {4, -100, 0});
        Tensor d = r.allocate(DType.F32, Shape.of(3, 5));
        assertEquals(2 * Math.log(5), r.crossEntropy(logits, labels, -100, d, 0.5f), 1e-12);
        float[] g = r.toFloats(d);
        assertEquals(0.5f * (0.2f - 1), g[4], 1e-7);
        assertEquals(0.5f * 0.2f, g[0 + 1], 1e-7);
        assertEquals(0f, g[5 + 2], "ignored row");
        assertThrows(IndexOutOfBoundsException.class,
                () -> r.crossEntropy(logits, r.fromInts(Shape.of(3), new int[] {5, 0, 0}), -100, null, 1f));
    }

    @Test
    void firstAdamWStepMovesByLrTimesSign() {
        // At t = 1 the bias corrections make m̂ = g and v̂ = g², so the step is lr·g/(|g| + eps) ≈ lr·sign(g).
        Tensor p = r.fromFloats(Shape.of(3), new float[] {1, 1, 1});
        Tensor g = r.fromFloats(Shape.of(3), new float[] {0.5f, -3f, 1e-3f});
        Tensor m = r.allocate(DType.F32, Shape.of(3));
        Tensor v = r.allocate(DType.F32, Shape.of(3));
        r.adamw(p, g, m, v, AdamWStep.of(0.1, 0.9, 0.999, 1e-8, 0.5, 1));
        float[] after = r.toFloats(p);
        float decayed = (float) (1 - 0.1 * 0.5);
        assertEquals(decayed - 0.1f, after[0], 1e-6);
        assertEquals(decayed + 0.1f, after[1], 1e-6);
        assertEquals(decayed - 0.1f, after[2], 1e-5);
        assertArrayEquals(new float[] {0.05f, -0.3f, 1e-4f}, r.toFloats(m), 1e-8f);
        assertTrue(r.sumOfSquares(g) > 9.25);
    }

    @Test
    void embeddingCopiesRowsAndNamesBadIds() {
        Tensor table = r.fromFloats(Shape.of(3, 2), new float[] {0, 1, 10, 11, 20, 21});
        Tensor out = r.allocate(DType.F32, Shape.of(2, 2));
        r.embedding(r.fromInts(Shape.of(2), new int[] {2, 0}), table, out);
        assertArrayEquals(new float[] {20, 21, 0, 1}, r.toFloats(out));
        var e = assertThrows(IndexOutOfBoundsException.class,
                () -> r.embedding(r.fromInts(Shape.of(2), new int[] {1, 3}), table, out));
        assertTrue(e.getMessage().contains("3"), e.getMessage());
    }
}
