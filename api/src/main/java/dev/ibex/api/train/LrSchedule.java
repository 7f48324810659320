package dev.ibex.api.train;

import java.util.Locale;

/**
 * transformers' learning-rate schedules ({@code get_constant_schedule_with_warmup},
 * {@code get_linear_schedule_with_warmup}, {@code get_cosine_schedule_with_warmup} with half a cycle). The
 * multiplier for optimizer step {@code s} (0-based, as the scheduler sees it before stepping) is applied to the
 * peak learning rate; like transformers, the first step of a warmup runs at 0.
 */
public record LrSchedule(String kind, int warmupSteps, int totalSteps) {

    public LrSchedule {
        kind = kind.toLowerCase(Locale.ROOT);
        if (!kind.equals("constant") && !kind.equals("linear") && !kind.equals("cosine")) {
            throw new IllegalArgumentException("unknown lr_scheduler " + kind);
        }
    }

    /** The multiplier of the peak learning rate at 0-based step {@code s}. */
    public double factor(int s) {
        if (s < warmupSteps) {
            return (double) s / Math.max(1, warmupSteps);
        }
        return switch (kind) {
            case "constant" -> 1.0;
            case "linear" -> Math.max(0.0, (double) (totalSteps - s) / Math.max(1, totalSteps - warmupSteps));
            default -> {
                double progress = (double) (s - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
                yield Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 2.0 * 0.5 * progress)));
            }
        };
    }
}
