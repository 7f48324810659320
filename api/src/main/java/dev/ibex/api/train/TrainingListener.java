package dev.ibex.api.train;

import java.nio.file.Path;

/** Progress of a training run, for progress bars, logs and metrics files. Every method has a no-op default. */
public interface TrainingListener {
    default void started(int totalSteps, int fromStep) {
    }

    default void step(StepMetrics metrics) {
    }

    default void evaluated(int step, double validationLoss) {
    }

    default void checkpointed(int step, Path dir) {
    }

    default void finished(TrainingSummary summary) {
    }

    /** A listener that forwards to several. */
    static TrainingListener all(TrainingListener... listeners) {
        return new TrainingListener() {
            @Override
            public void started(int totalSteps, int fromStep) {
                for (TrainingListener l : listeners) {
                    l.started(totalSteps, fromStep);
                }
            }

            @Override
            public void step(StepMetrics metrics) {
                for (TrainingListener l : listeners) {
                    l.step(metrics);
                }
            }

            @Override
            public void evaluated(int step, double validationLoss) {
                for (TrainingListener l : listeners) {
                    l.evaluated(step, validationLoss);
                }
            }

            @Override
            public void checkpointed(int step, Path dir) {
                for (TrainingListener l : listeners) {
                    l.checkpointed(step, dir);
                }
            }

            @Override
            public void finished(TrainingSummary summary) {
                for (TrainingListener l : listeners) {
                    l.finished(summary);
                }
            }
        };
    }
}
