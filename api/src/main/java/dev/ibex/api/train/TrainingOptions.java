package dev.ibex.api.train;

import java.nio.file.Path;

/**
 * How to train (the optimisation part of a run config; see {@code RunKeys} for each field's meaning).
 */
public record TrainingOptions(int microBatchSize, int gradAccum, double numEpochs, int maxSteps, double learningRate,
                              String scheduler, int warmupSteps, double warmupRatio, String optimizer,
                              double weightDecay, double beta1, double beta2, double epsilon, double maxGradNorm,
                              long seed, boolean shuffle, boolean gradientCheckpointing, int saveSteps, int evalSteps,
                              int loggingSteps, int saveTotalLimit, Path outputDir) {

    /** Defaults like transformers' Trainer for a quick programmatic run. */
    public static TrainingOptions defaults(Path outputDir, double learningRate, int maxSteps) {
        return new TrainingOptions(1, 1, 1, maxSteps, learningRate, "constant", 0, 0, "adamw_torch", 0, 0.9, 0.999,
                1e-8, 1.0, 42, false, false, 0, 0, 1, 0, outputDir);
    }

    public TrainingOptions withMicroBatchSize(int n) {
        return new TrainingOptions(n, gradAccum, numEpochs, maxSteps, learningRate, scheduler, warmupSteps, warmupRatio,
                optimizer, weightDecay, beta1, beta2, epsilon, maxGradNorm, seed, shuffle, gradientCheckpointing,
                saveSteps, evalSteps, loggingSteps, saveTotalLimit, outputDir);
    }

    public TrainingOptions withOptimizer(String name, double weightDecay, double maxGradNorm) {
        return new TrainingOptions(microBatchSize, gradAccum, numEpochs, maxSteps, learningRate, scheduler, warmupSteps,
                warmupRatio, name, weightDecay, beta1, beta2, epsilon, maxGradNorm, seed, shuffle, gradientCheckpointing,
                saveSteps, evalSteps, loggingSteps, saveTotalLimit, outputDir);
    }

    public TrainingOptions withGradientCheckpointing(boolean on) {
        return new TrainingOptions(microBatchSize, gradAccum, numEpochs, maxSteps, learningRate, scheduler, warmupSteps,
                warmupRatio, optimizer, weightDecay, beta1, beta2, epsilon, maxGradNorm, seed, shuffle, on, saveSteps,
                evalSteps, loggingSteps, saveTotalLimit, outputDir);
    }
}
