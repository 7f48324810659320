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
 * Shows a training run: a progress bar with ETA on stderr (loss, learning rate and tokens/s in its message) when
 * the run is attached to a terminal, and one log line per logged step on stdout, so a redirected run (CI, a log
 * file) gets a clean log with the ETA in it instead of a redrawn bar.
 */
final class TrainingProgress implements TrainingListener, AutoCloseable {
    private final PrintWriter out;
    private ProgressBar bar;

    TrainingProgress(PrintWriter out) {
        this.out = out;
    }

    private long startNanos;
    private int firstStep;

    static boolean interactive() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    @Override
    public void started(int totalSteps, int fromStep) {
        startNanos = System.nanoTime();
        firstStep = fromStep;
        if (!interactive()) {
            out.printf(Locale.ROOT, "training %d steps%s%n", totalSteps - fromStep,
                    fromStep > 0 ? " (resuming at step " + fromStep + " of " + totalSteps + ")" : "");
            return;
        }
        bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalSteps).startsFrom(fromStep, java.time.Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed().setUnit(" steps", 1)
                .continuousUpdate().build();
    }

    @Override
    public void step(StepMetrics m) {
        if (bar != null) {
            bar.stepTo(m.step());
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f lr %.2e %.0f tok/s", m.loss(), m.learningRate(),
                    m.tokensPerSecond()));
        }
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        int done = m.step() - firstStep;
        long eta = done == 0 ? 0 : Math.round(elapsed / done * (m.totalSteps() - m.step()));
        log(String.format(Locale.ROOT, "step %d/%d  epoch %.2f  loss %.4f  lr %.3e  grad_norm %.3f  %.0f tok/s  ETA %d:%02d",
                m.step(), m.totalSteps(), m.epoch(), m.loss(), m.learningRate(), m.gradNorm(), m.tokensPerSecond(),
                eta / 60, eta % 60));
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
