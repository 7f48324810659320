package dev.ibex.api.train;

/**
 * What one optimizer step did.
 *
 * @param step            1-based optimizer step
 * @param totalSteps      steps the run will take
 * @param epoch           fractional epoch reached
 * @param loss            mean training loss of the step's micro-batches
 * @param learningRate    learning rate used
 * @param gradNorm        global gradient norm before clipping
 * @param tokens          real tokens processed in this step
 * @param tokensPerSecond throughput of this step
 * @param elapsedSeconds  since the run (or resume) started
 */
public record StepMetrics(int step, int totalSteps, double epoch, double loss, double learningRate, double gradNorm,
                          long tokens, double tokensPerSecond, double elapsedSeconds) {
}
