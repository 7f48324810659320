package dev.ibex.api.train;

import java.util.List;

/**
 * The end of a run.
 *
 * @param steps              optimizer steps taken in total
 * @param finalLoss          training loss of the last step
 * @param validationLoss     last validation loss, or NaN without a validation split
 * @param tokens             real tokens trained on in this process
 * @param seconds            wall time of this process's training
 * @param history            every step's metrics of this process
 */
public record TrainingSummary(int steps, double finalLoss, double validationLoss, long tokens, double seconds,
                              List<StepMetrics> history) {
    public TrainingSummary {
        history = List.copyOf(history);
    }
}
