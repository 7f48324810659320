package dev.ibex.api.generate;

import java.util.List;

/**
 * How to pick tokens, with {@code transformers.generate}'s meaning for every field.
 *
 * @param maxNewTokens      tokens to generate at most per sequence
 * @param temperature       0 for greedy; otherwise logits are divided by it and a token is sampled
 * @param topK              keep the k most likely tokens (ties survive); 0 = off
 * @param topP              keep the smallest set whose probability exceeds p; 1 = off
 * @param repetitionPenalty every token seen so far (prompt included): positive logits ÷, negative × penalty; 1 = off
 * @param seed              seed of the sampler's random stream
 * @param stopStrings       text that ends a sequence (removed from its text)
 * @param stopAtEos         end a sequence at the model's end-of-sequence token
 */
public record SamplingParams(int maxNewTokens, double temperature, int topK, double topP, double repetitionPenalty,
                             long seed, List<String> stopStrings, boolean stopAtEos) {
    public SamplingParams {
        stopStrings = List.copyOf(stopStrings);
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max_new_tokens must be >= 0, got " + maxNewTokens);
        }
        if (temperature < 0) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0)) {
            throw new IllegalArgumentException("repetition_penalty must be > 0, got " + repetitionPenalty);
        }
    }

    /** Greedy decoding of up to {@code maxNewTokens}. */
    public static SamplingParams greedy(int maxNewTokens) {
        return new SamplingParams(maxNewTokens, 0, 0, 1, 1, 0, List.of(), true);
    }

    public boolean greedy() {
        return temperature == 0;
    }

    public SamplingParams withStopStrings(List<String> stops) {
        return new SamplingParams(maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, stops, stopAtEos);
    }
}
