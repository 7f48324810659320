package dev.ibex.app;

import dev.ibex.api.generate.SamplingParams;
import java.util.List;
import picocli.CommandLine.Option;

/** Sampling flags shared by {@code generate} and {@code chat}, with transformers' names and meanings. */
final class SamplingOptions {
    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "128", description = "Tokens to generate at most (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0",
            description = "0 = greedy (default); otherwise sample with this temperature.")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "Keep the K most likely tokens (0 = off).")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0", description = "Nucleus sampling threshold (1 = off).")
    double topP;

    @Option(names = "--repetition-penalty", paramLabel = "R", defaultValue = "1.0", description = "Penalty for repeated tokens (1 = off).")
    double repetitionPenalty;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Random seed for sampling.")
    long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when the output contains TEXT (repeatable).")
    List<String> stops = List.of();

    @Option(names = "--ignore-eos", description = "Keep generating past the end-of-sequence token.")
    boolean ignoreEos;

    SamplingParams params() {
        return new SamplingParams(maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, stops, !ignoreEos);
    }
}
