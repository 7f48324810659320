package dev.ibex.api.train;

import dev.ibex.api.internal.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Draws the loss curve of a training run as an 800×480 RGB PNG: training loss per optimizer step, validation loss
 * where there was an evaluation, "nice" ticks on both axes, a light grid, a legend and a title.
 *
 * <p>It needs neither AWT nor a font: pixels, text (an embedded 5×8 bitmap font) and the PNG encoding are done
 * here, so it works in the headless jlink image. A noisy training curve (one that goes up and down far more than it
 * falls) is drawn pale with a bold exponential moving average over it. Steps whose loss is NaN or infinite are left
 * out; long runs are thinned for drawing only, keeping each pixel column's first, last, lowest and highest point
 * so that spikes stay visible. The file is replaced atomically: a reader sees the old plot or the new one.
 *
 * <pre>{@code
 * LossPlot.write(outputDir.resolve("loss.png"), summary.history(), validationPoints, "llama-lora on alpaca");
 * }</pre>
 */
public final class LossPlot {
    static final int WIDTH = 800;
    static final int HEIGHT = 480;

    static final int BACKGROUND = 0xFFFFFF;
    static final int INK = 0x202020;
    static final int GRID = 0xEBEBEB;
    /** Training loss, or its moving average when the raw curve is noisy. */
    static final int TRAIN = 0x1F77B4;
    /** The raw training loss under a moving average. */
    static final int TRAIN_RAW = 0xAFCDE6;
    static final int VALIDATION = 0xE6550D;

    private static final int TITLE_SCALE = 2;
    private static final int TICK = 4;
    private static final int GAP = 4;
    private static final int MARKER = 5;
    /** Fewer points than this are never called noisy: a short curve is drawn as it is. */
    private static final int MIN_POINTS_TO_SMOOTH = 20;

    private LossPlot() {
    }

    /**
     * Writes the plot to {@code png}, creating its folder if needed.
     *
     * @param png        the file to write, replaced if it exists
     * @param training   the run's steps, e.g. {@link TrainingSummary#history()}; their order does not matter
     * @param validation {@code {step, loss}} pairs, e.g. gathered from {@link TrainingListener#evaluated}; may be empty
     * @param title      drawn above the plot, shortened with "..." if too wide; {@code null} or blank for none
     * @throws IllegalArgumentException if a validation entry has fewer than two numbers
     * @throws dev.ibex.spi.IbexException if the file cannot be written
     */
    public static void write(Path png, List<StepMetrics> training, List<double[]> validation, String title) {
        Objects.requireNonNull(png, "png");
        AtomicFiles.write(png, render(training, validation, title).toPng());
    }

    /** The plot as pixels, before encoding; {@link #write} documents the arguments. */
    static PlotCanvas render(List<StepMetrics> training, List<double[]> validation, String title) {
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(validation, "validation");
        Series train = Series.of(training.stream()
                .map(m -> new double[] {m.step(), m.loss()}).toList(), "training");
        Series valid = Series.of(validation, "validation");
        boolean empty = train.size() == 0 && valid.size() == 0;

        double xMin = Math.min(train.minX(), valid.minX());
        double xMax = Math.max(train.maxX(), valid.maxX());
        double yMin = Math.min(train.minY(), valid.minY());
        double yMax = Math.max(train.maxY(), valid.maxY());
        AxisTicks xt = empty ? new AxisTicks(0, 1, 1) : AxisTicks.covering(xMin, xMax, 10, true);
        AxisTicks yt = empty ? new AxisTicks(0, 1, 0.2) : AxisTicks.covering(yMin, yMax, 8, false);

        String heading = title == null || title.isBlank() ? "" : fit(title.strip(), WIDTH - 20, TITLE_SCALE);
        int widestY = 0;
        for (int i = 0; i < yt.count(); i++) {
            widestY = Math.max(widestY, BitmapFont.width(yt.label(i), 1));
        }
        int left = 12 + widestY + GAP + TICK;
        int right = WIDTH - 12 - BitmapFont.width(xt.label(xt.count() - 1), 1) / 2;
        int top = (heading.isEmpty() ? 0 : 10 + BitmapFont.height(TITLE_SCALE)) + 22;
        int bottom = HEIGHT - (TICK + GAP + 2 * BitmapFont.height(1) + 3 * GAP + 4);
        var plot = new Frame(left, top, right, bottom, xt, yt);

        var canvas = new PlotCanvas(WIDTH, HEIGHT, BACKGROUND);
        for (int i = 0; i < xt.count(); i++) {
            canvas.fill((int) Math.round(plot.x(xt.value(i))), top, 1, bottom - top, GRID);
        }
        for (int i = 0; i < yt.count(); i++) {
            canvas.fill(left, (int) Math.round(plot.y(yt.value(i))), right - left, 1, GRID);
        }

        List<LegendEntry> legend = new ArrayList<>();
        if (train.size() > 0) {
            if (train.isNoisy()) {
                drawLine(canvas, plot, train, TRAIN_RAW, 1);
                drawLine(canvas, plot, train.movingAverage(), TRAIN, 2);
                legend.add(new LegendEntry("train loss", TRAIN_RAW, false));
                legend.add(new LegendEntry("train loss (EMA)", TRAIN, false));
            } else {
                drawLine(canvas, plot, train, TRAIN, 2);
                if (train.size() == 1) {
                    canvas.marker(plot.x(train.x[0]), plot.y(train.y[0]), MARKER, TRAIN);
                }
                legend.add(new LegendEntry("train loss", TRAIN, train.size() == 1));
            }
        }
        if (valid.size() > 0) {
            drawLine(canvas, plot, valid, VALIDATION, 2);
            boolean markers = valid.size() <= 200; // beyond that the squares merge into a thick line anyway
            for (int i = 0; markers && i < valid.size(); i++) {
                canvas.marker(plot.x(valid.x[i]), plot.y(valid.y[i]), MARKER, VALIDATION);
            }
            legend.add(new LegendEntry("validation loss", VALIDATION, markers));
        }

        drawAxes(canvas, plot);
        drawLegend(canvas, plot, legend);
        if (!heading.isEmpty()) {
            canvas.text((WIDTH - BitmapFont.width(heading, TITLE_SCALE)) / 2, 10, heading, INK, TITLE_SCALE);
        }
        if (empty) {
            String note = "no finite loss values to plot";
            canvas.text((left + right - BitmapFont.width(note, 1)) / 2, (top + bottom) / 2, note, INK, 1);
        }
        return canvas;
    }

    /** Maps data coordinates to pixels inside the plot area {@code left..right × top..bottom}. */
    private record Frame(int left, int top, int right, int bottom, AxisTicks xt, AxisTicks yt) {
        double x(double step) {
            return left + xt.fraction(step) * (right - left);
        }

        double y(double loss) {
            return bottom - yt.fraction(loss) * (bottom - top);
        }
    }

    private record LegendEntry(String label, int color, boolean marker) {
    }

    private static void drawLine(PlotCanvas canvas, Frame plot, Series s, int color, int pen) {
        double[] px = new double[s.size()];
        double[] py = new double[s.size()];
        for (int i = 0; i < s.size(); i++) {
            px[i] = plot.x(s.x[i]);
            py[i] = plot.y(s.y[i]);
        }
        int[] keep = decimate(px, py);
        for (int k = 1; k < keep.length; k++) {
            canvas.line(px[keep[k - 1]], py[keep[k - 1]], px[keep[k]], py[keep[k]], color, pen);
        }
    }

    /**
     * The indices of the points worth drawing, ascending: within each pixel column only the first, last, lowest and
     * highest point change what a polyline looks like (the "M4" reduction), so a 100,000-step run costs a few
     * thousand segments while keeping every spike. {@code columns} must be ascending.
     */
    static int[] decimate(double[] columns, double[] values) {
        int[] keep = new int[columns.length];
        int kept = 0;
        int start = 0;
        while (start < columns.length) {
            long column = (long) Math.floor(columns[start]);
            int end = start;
            int lowest = start;
            int highest = start;
            while (end + 1 < columns.length && (long) Math.floor(columns[end + 1]) == column) {
                end++;
                lowest = values[end] < values[lowest] ? end : lowest;
                highest = values[end] > values[highest] ? end : highest;
            }
            int[] group = {start, Math.min(lowest, highest), Math.max(lowest, highest), end};
            for (int index : group) {
                if (kept == 0 || keep[kept - 1] < index) {
                    keep[kept++] = index;
                }
            }
            start = end + 1;
        }
        return Arrays.copyOf(keep, kept);
    }

    private static void drawAxes(PlotCanvas canvas, Frame p) {
        canvas.outline(p.left, p.top, p.right - p.left + 1, p.bottom - p.top + 1, INK);
        int labelHeight = BitmapFont.height(1);
        for (int i = 0; i < p.xt.count(); i++) {
            int x = (int) Math.round(p.x(p.xt.value(i)));
            String label = p.xt.label(i);
            canvas.fill(x, p.bottom + 1, 1, TICK, INK);
            canvas.text(x - BitmapFont.width(label, 1) / 2, p.bottom + TICK + GAP, label, INK, 1);
        }
        for (int i = 0; i < p.yt.count(); i++) {
            int y = (int) Math.round(p.y(p.yt.value(i)));
            String label = p.yt.label(i);
            canvas.fill(p.left - TICK, y, TICK, 1, INK);
            canvas.text(p.left - TICK - GAP - BitmapFont.width(label, 1), y - 3, label, INK, 1);
        }
        String xName = "step";
        canvas.text((p.left + p.right - BitmapFont.width(xName, 1)) / 2,
                p.bottom + TICK + 3 * GAP + labelHeight, xName, INK, 1);
        canvas.text(p.left - BitmapFont.width("loss", 1) / 2, p.top - labelHeight - 2 * GAP, "loss", INK, 1);
    }

    /**
     * A boxed legend in whichever corner of the plot it hides the fewest curve pixels in; top-right wins ties,
     * being where a falling loss curve usually leaves room.
     */
    private static void drawLegend(PlotCanvas canvas, Frame p, List<LegendEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        int sample = 20;
        int rowHeight = BitmapFont.height(1) + GAP;
        int textWidth = entries.stream().mapToInt(e -> BitmapFont.width(e.label, 1)).max().orElse(0);
        int w = GAP * 2 + sample + GAP * 2 + textWidth + GAP * 2;
        int h = GAP * 2 + entries.size() * rowHeight;
        int inset = 8;
        int[][] corners = {
                {p.right - inset - w, p.top + inset}, {p.left + inset, p.top + inset},
                {p.right - inset - w, p.bottom - inset - h}, {p.left + inset, p.bottom - inset - h}};
        int[] best = corners[0];
        int leastHidden = Integer.MAX_VALUE;
        for (int[] c : corners) {
            int hidden = canvas.inkIn(c[0], c[1], w, h, BACKGROUND, GRID);
            if (hidden < leastHidden) {
                leastHidden = hidden;
                best = c;
            }
        }
        int x = best[0];
        int y = best[1];
        canvas.fill(x, y, w, h, BACKGROUND);
        canvas.outline(x, y, w, h, INK);
        for (int i = 0; i < entries.size(); i++) {
            LegendEntry e = entries.get(i);
            int rowTop = y + GAP + 2 + i * rowHeight;
            int mid = rowTop + 3;
            canvas.fill(x + 2 * GAP, mid, sample, 2, e.color);
            if (e.marker) {
                canvas.marker(x + 2 * GAP + sample / 2.0, mid, MARKER, e.color);
            }
            canvas.text(x + 4 * GAP + sample, rowTop, e.label, INK, 1);
        }
    }

    /** {@code text}, cut and ended with "..." if wider than {@code maxWidth} pixels at {@code scale}. */
    private static String fit(String text, int maxWidth, int scale) {
        int maxChars = (maxWidth / scale + 1) / BitmapFont.ADVANCE;
        return text.length() <= maxChars ? text : text.substring(0, Math.max(0, maxChars - 3)) + "...";
    }

    /** The finite points of one curve, sorted by step. */
    private record Series(double[] x, double[] y) {
        static Series of(List<double[]> points, String what) {
            List<double[]> finite = new ArrayList<>(points.size());
            for (double[] p : points) {
                if (p == null || p.length < 2) {
                    throw new IllegalArgumentException(what + " points must be {step, loss} pairs, got "
                            + (p == null ? "null" : Arrays.toString(p)));
                }
                if (Double.isFinite(p[0]) && Double.isFinite(p[1])) {
                    finite.add(p);
                }
            }
            finite.sort(Comparator.comparingDouble(p -> p[0]));
            double[] x = new double[finite.size()];
            double[] y = new double[finite.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = finite.get(i)[0];
                y[i] = finite.get(i)[1];
            }
            return new Series(x, y);
        }

        int size() {
            return x.length;
        }

        double minX() {
            return Arrays.stream(x).min().orElse(Double.POSITIVE_INFINITY);
        }

        double maxX() {
            return Arrays.stream(x).max().orElse(Double.NEGATIVE_INFINITY);
        }

        double minY() {
            return Arrays.stream(y).min().orElse(Double.POSITIVE_INFINITY);
        }

        double maxY() {
            return Arrays.stream(y).max().orElse(Double.NEGATIVE_INFINITY);
        }

        /**
         * Whether the curve's total up-and-down movement is more than three times its overall range: a smooth
         * falling curve travels its range once, while per-step minibatch noise travels it many times over.
         */
        boolean isNoisy() {
            double range = maxY() - minY();
            if (size() < MIN_POINTS_TO_SMOOTH || !(range > 0)) {
                return false;
            }
            double travelled = 0;
            for (int i = 1; i < size(); i++) {
                travelled += Math.abs(y[i] - y[i - 1]);
            }
            return travelled > 3 * range;
        }

        /**
         * An exponential moving average over about 1/30 of the run (at least 5, at most 200 points), bias-corrected
         * as TensorBoard does so that the first points are not dragged towards zero.
         */
        Series movingAverage() {
            double span = Math.clamp(size() / 30.0, 5, 200);
            double beta = 1 - 2 / (span + 1);
            double[] smooth = new double[size()];
            double average = 0;
            double weight = 1;
            for (int i = 0; i < size(); i++) {
                average = beta * average + (1 - beta) * y[i];
                weight *= beta;
                smooth[i] = average / (1 - weight);
            }
            return new Series(x, smooth);
        }
    }
}
