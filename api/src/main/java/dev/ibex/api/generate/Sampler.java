package dev.ibex.api.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of logits, in the order transformers applies its processors: repetition
 * penalty, then (when sampling) temperature, top-k, top-p, softmax and a draw; greedy is the argmax after the
 * penalty. The random stream is seeded, so a seed reproduces a run (it is not torch's stream).
 */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    /**
     * The next token for {@code logits} (modified in place) given every token of the sequence so far.
     *
     * @param seen ids of the prompt and the generated tokens (for the repetition penalty)
     */
    public int next(float[] logits, int[] seen, int seenCount) {
        if (params.repetitionPenalty() != 1.0) {
            applyRepetitionPenalty(logits, seen, seenCount, (float) params.repetitionPenalty());
        }
        if (params.greedy()) {
            return argmax(logits);
        }
        float t = (float) params.temperature();
        for (int i = 0; i < logits.length; i++) {
            logits[i] /= t;
        }
        if (params.topK() > 0 && params.topK() < logits.length) {
            topK(logits, params.topK());
        }
        if (params.topP() < 1.0) {
            topP(logits, params.topP());
        }
        return draw(logits);
    }

    static void applyRepetitionPenalty(float[] logits, int[] seen, int count, float penalty) {
        boolean[] done = new boolean[logits.length];
        for (int i = 0; i < count; i++) {
            int id = seen[i];
            if (id < 0 || id >= logits.length || done[id]) {
                continue;
            }
            done[id] = true;
            float v = logits[id];
            logits[id] = v > 0 ? v / penalty : v * penalty;
        }
    }

    /** The first index of the maximum (torch's argmax). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Keeps logits ≥ the k-th largest; the rest become -∞ (ties with the k-th survive, as in transformers). */
    static void topK(float[] logits, int k) {
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        float kth = sorted[sorted.length - k];
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] < kth) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * transformers' TopPLogitsWarper: sort ascending, drop tokens whose cumulative probability is ≤ 1 − p, always
     * keep the most likely one.
     */
    static void topP(float[] logits, double p) {
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(logits[a], logits[b]));
        double max = logits[order[order.length - 1]];
        double sum = 0;
        double[] probs = new double[order.length];
        for (int i = 0; i < order.length; i++) {
            probs[i] = Math.exp(logits[order[i]] - max);
            sum += probs[i];
        }
        double cumulative = 0;
        for (int i = 0; i < order.length - 1; i++) {
            cumulative += probs[i] / sum;
            if (cumulative <= 1 - p) {
                logits[order[i]] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    private int draw(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        double u = random.nextDouble() * sum;
        for (int i = 0; i < p.length; i++) {
            u -= p[i];
            if (u < 0) {
                return i;
            }
        }
        return argmax(logits);
    }
}
