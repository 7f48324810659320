package dev.ibex.app;

import dev.ibex.api.train.StepMetrics;
import dev.ibex.api.train.TrainingListener;
import dev.ibex.api.train.TrainingSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a training run: a progress bar with ETA on stderr (loss, learning rate and tokens/s in its message), and one
 * log line per logged step on stdout, so a redirected stdout is a clean log.
 */
final class TrainingProgress implements TrainingListener, AutoCloseable {
    private final PrintWriter out;
    private ProgressBar bar;

    TrainingProgress(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void started(int totalSteps, int fromStep) {
        bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalSteps).startsFrom(fromStep, java.time.Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed().setUnit(" steps", 1)
                .continuousUpdate().build();
    }

    @Override
    public void step(StepMetrics m) {
        String message = String.format(Locale.ROOT, "loss %.4f lr %.2e %.0f tok/s", m.loss(), m.learningRate(),
                m.tokensPerSecond());
        bar.stepTo(m.step());
        bar.setExtraMessage(message);
        log(String.format(Locale.ROOT, "step %d/%d  epoch %.2f  loss %.4f  lr %.3e  grad_norm %.3f  %.0f tok/s",
                m.step(), m.totalSteps(), m.epoch(), m.loss(), m.learningRate(), m.gradNorm(), m.tokensPerSecond()));
    }

    @Override
    public void evaluated(int step, double validationLoss) {
        log(String.format(Locale.ROOT, "step %d  validation loss %.4f", step, validationLoss));
    }

    @Override
    public void checkpointed(int step, Path dir) {
        log("step " + step + "  checkpoint " + dir);
    }

    @Override
    public void finished(TrainingSummary s) {
        close();
        out.printf(Locale.ROOT, "trained %d steps in %.1f s (%.0f tokens/s); final loss %.4f%s%n", s.steps(), s.seconds(),
                s.tokens() / Math.max(1e-9, s.seconds()), s.finalLoss(),
                Double.isNaN(s.validationLoss()) ? "" : String.format(Locale.ROOT, ", validation loss %.4f", s.validationLoss()));
        out.flush();
    }

    private void log(String line) {
        if (bar != null) {
            bar.pause();
        }
        out.println(line);
        out.flush();
        if (bar != null) {
            bar.resume();
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
