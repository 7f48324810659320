package dev.ibex.api.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.IbexException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads every plot back with {@link MinimalPngReader} and looks for what a person would look for. */
class LossPlotTest {
    @TempDir
    Path dir;

    private static List<StepMetrics> steps(int n, IntToDoubleFunction loss) {
        List<StepMetrics> steps = new ArrayList<>(n);
        for (int s = 1; s <= n; s++) {
            steps.add(new StepMetrics(s, n, s / (double) n, loss.applyAsDouble(s), 2e-4, 1.0, 512, 4096, s * 0.1));
        }
        return steps;
    }

    private static List<StepMetrics> falling() {
        return steps(200, s -> 1 + 2 * Math.exp(-(s - 1) / 40.0));
    }

    private MinimalPngReader.Image plot(List<StepMetrics> training, List<double[]> validation, String title) {
        Path png = dir.resolve("loss.png");
        LossPlot.write(png, training, validation, title);
        try {
            return MinimalPngReader.read(Files.readAllBytes(png));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static int count(MinimalPngReader.Image image, int color) {
        return (int) Arrays.stream(image.rgb()).filter(p -> p == color).count();
    }

    /** The lowest (largest y) pixel of {@code color} in column {@code x}, or -1. */
    private static int lowest(MinimalPngReader.Image image, int x, int color) {
        for (int y = image.height() - 1; y >= 0; y--) {
            if (image.at(x, y) == color) {
                return y;
            }
        }
        return -1;
    }

    private static int[] columnsWith(MinimalPngReader.Image image, int color) {
        int first = -1;
        int last = -1;
        for (int x = 0; x < image.width(); x++) {
            if (lowest(image, x, color) >= 0) {
                first = first < 0 ? x : first;
                last = x;
            }
        }
        return new int[] {first, last};
    }

    /**
     * Top-left corners where {@code text} appears exactly as the font draws it, as a whole word: every ink pixel in
     * the text colour, and no other pixel of its box, nor of the four columns either side, in that colour. Four is
     * how close the plot puts a tick mark to a label, and near enough to see "20" in "200" or "0" in "1.0".
     */
    private static List<int[]> find(MinimalPngReader.Image image, String text, int scale) {
        int w = BitmapFont.width(text, scale);
        int h = BitmapFont.height(scale);
        boolean[] mask = new boolean[w * h];
        for (int i = 0; i < text.length(); i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < BitmapFont.GLYPH_WIDTH * scale; x++) {
                    mask[y * w + i * BitmapFont.ADVANCE * scale + x] =
                            BitmapFont.ink(text.charAt(i), x / scale, y / scale);
                }
            }
        }
        int anchor = 0;
        while (!mask[anchor]) {
            anchor++;
        }
        // Only dark pixels can be the text's first ink pixel, which keeps the search to a few thousand candidates.
        List<int[]> found = new ArrayList<>();
        int margin = 4 * scale;
        for (int p = 0; p < image.rgb().length; p++) {
            int left = p % image.width() - anchor % w;
            int top = p / image.width() - anchor / w;
            if (image.rgb()[p] != LossPlot.INK || left < 0 || top < 0 || left + w > image.width()
                    || top + h > image.height()) {
                continue;
            }
            boolean match = true;
            for (int y = top; y < top + h && match; y++) {
                for (int x = Math.max(0, left - margin); x < Math.min(image.width(), left + w + margin); x++) {
                    boolean inBox = x >= left && x < left + w;
                    boolean ink = inBox && mask[(y - top) * w + x - left];
                    if ((image.at(x, y) == LossPlot.INK) != ink) {
                        match = false;
                        break;
                    }
                }
            }
            if (match) {
                found.add(new int[] {left, top});
            }
        }
        return found;
    }

    private static int[] findOnce(MinimalPngReader.Image image, String text, int scale) {
        List<int[]> found = find(image, text, scale);
        assertEquals(1, found.size(), "'" + text + "' should appear once, found at " + found.stream()
                .map(Arrays::toString).toList());
        return found.getFirst();
    }

    @Test
    void aFallingLossIsDrawnFallingOnAWhiteCanvas() {
        MinimalPngReader.Image image = plot(falling(), List.of(), "run");
        assertEquals(LossPlot.WIDTH, image.width());
        assertEquals(LossPlot.HEIGHT, image.height());
        long white = Arrays.stream(image.rgb()).filter(p -> p == LossPlot.BACKGROUND).count();
        assertTrue(white > image.rgb().length * 0.8, "only " + white + " white pixels");
        for (int[] corner : new int[][] {{0, 0}, {799, 0}, {0, 479}, {799, 479}}) {
            assertEquals(LossPlot.BACKGROUND, image.at(corner[0], corner[1]));
        }
        assertTrue(count(image, LossPlot.TRAIN) > 500, "the training line is missing");

        // The lowest blue pixel per column ignores the legend's sample line, which sits above the curve.
        int[] span = columnsWith(image, LossPlot.TRAIN);
        assertTrue(span[1] - span[0] > 600, "the curve should span the plot, spans " + Arrays.toString(span));
        int previous = -1;
        for (int k = 0; k <= 4; k++) {
            int y = lowest(image, span[0] + (span[1] - span[0]) * k / 4, LossPlot.TRAIN);
            assertTrue(y > previous, "the line should fall from left to right, is at y=" + y + " after " + previous);
            previous = y;
        }
        int drop = lowest(image, span[1], LossPlot.TRAIN) - lowest(image, span[0], LossPlot.TRAIN);
        assertTrue(drop > 300, "a loss from 3 to 1 should fall most of the plot's height, fell " + drop);
    }

    @Test
    void aRisingLossIsDrawnRising() {
        MinimalPngReader.Image image = plot(steps(100, s -> 1 + s / 50.0), List.of(), "diverging");
        int[] span = columnsWith(image, LossPlot.TRAIN);
        assertTrue(lowest(image, span[0], LossPlot.TRAIN) > lowest(image, span[1], LossPlot.TRAIN) + 300);
    }

    @Test
    void ticksAreLabelledWithNiceNumbersBesideTheAxes() {
        MinimalPngReader.Image image = plot(falling(), List.of(), "run");
        // The axes are the dark column and row with the most dark pixels.
        int axisX = 0;
        int axisY = 0;
        int best = 0;
        for (int x = 0; x < image.width(); x++) {
            int dark = 0;
            for (int y = 0; y < image.height(); y++) {
                dark += image.at(x, y) == LossPlot.INK ? 1 : 0;
            }
            if (dark > best) {
                best = dark;
                axisX = x;
            }
        }
        best = 0;
        for (int y = 0; y < image.height(); y++) {
            int dark = 0;
            for (int x = 0; x < image.width(); x++) {
                dark += image.at(x, y) == LossPlot.INK ? 1 : 0;
            }
            if (dark > best && y > image.height() / 2) {
                best = dark;
                axisY = y;
            }
        }
        for (String loss : List.of("1.0", "1.5", "2.0", "2.5", "3.0")) {
            int[] at = findOnce(image, loss, 1);
            assertTrue(at[0] + BitmapFont.width(loss, 1) < axisX && at[0] > axisX - 30, loss + " is not left of the axis");
        }
        for (String step : List.of("0", "20", "100", "200")) {
            int[] at = findOnce(image, step, 1);
            assertTrue(at[1] > axisY && at[1] < axisY + 20, step + " is not under the axis");
        }
        assertTrue(find(image, "2.7", 1).isEmpty(), "ticks should fall on nice numbers");
        assertTrue(findOnce(image, "step", 1)[1] > axisY);
        int labelX = axisX; // "loss" is also a word of the legend; the axis label is the one over the axis
        assertTrue(find(image, "loss", 1).stream().anyMatch(at -> at[0] < labelX && at[0] + 20 > labelX));
    }

    @Test
    void theLegendNamesEachCurveNextToItsColour() {
        List<double[]> validation = List.of(new double[] {50, 1.9}, new double[] {100, 1.5}, new double[] {200, 1.3});
        MinimalPngReader.Image image = plot(falling(), validation, "run");
        int[] train = findOnce(image, "train loss", 1);
        int[] valid = findOnce(image, "validation loss", 1);
        assertTrue(valid[1] > train[1], "validation comes second");
        int sampleY = valid[1] + 3;
        boolean swatch = false;
        for (int x = valid[0] - 30; x < valid[0]; x++) {
            swatch |= image.at(x, sampleY) == LossPlot.VALIDATION;
        }
        assertTrue(swatch, "no validation-coloured sample left of its label");
        assertTrue(count(image, LossPlot.VALIDATION) > 200, "the validation line is missing");

        MinimalPngReader.Image trainingOnly = plot(falling(), List.of(), "run");
        findOnce(trainingOnly, "train loss", 1);
        assertTrue(find(trainingOnly, "validation loss", 1).isEmpty());
        assertEquals(0, count(trainingOnly, LossPlot.VALIDATION));
    }

    @Test
    void theTitleIsDrawnLargeAtTheTopAndShortenedWhenTooWide() {
        int[] at = findOnce(plot(falling(), List.of(), "llama-lora on alpaca"), "llama-lora on alpaca", 2);
        assertTrue(at[1] < 30);
        MinimalPngReader.Image image = plot(falling(), List.of(), "x".repeat(200));
        int shown = 0;
        for (int kept = 1; kept * BitmapFont.ADVANCE * 2 < LossPlot.WIDTH; kept++) { // what could fit at all
            shown += find(image, "x".repeat(kept) + "...", 2).size();
        }
        assertEquals(1, shown, "a long title should be cut and end in ...");
        plot(falling(), List.of(), null);
        plot(falling(), List.of(), "  ");
    }

    @Test
    void aNoisyLossGetsAPaleRawLineUnderABoldMovingAverage() {
        Random random = new Random(3);
        MinimalPngReader.Image noisy = plot(steps(3000, s -> 1 + Math.exp(-s / 500.0) + 0.3 * random.nextGaussian()),
                List.of(), "noisy");
        assertTrue(count(noisy, LossPlot.TRAIN_RAW) > 2000, "the raw line is missing");
        assertTrue(count(noisy, LossPlot.TRAIN) > 1000, "the moving average is missing");
        findOnce(noisy, "train loss (EMA)", 1);

        MinimalPngReader.Image smooth = plot(steps(3000, s -> 1 + Math.exp(-s / 500.0)), List.of(), "smooth");
        assertEquals(0, count(smooth, LossPlot.TRAIN_RAW), "a smooth curve needs no average");
        assertTrue(find(smooth, "train loss (EMA)", 1).isEmpty());
    }

    @Test
    void drawsASinglePointAndAFlatLoss() {
        MinimalPngReader.Image one = plot(List.of(new StepMetrics(7, 10, 0.1, 2.5, 1e-4, 1, 10, 10, 1)), List.of(), "1");
        assertTrue(count(one, LossPlot.TRAIN) >= 25, "a single step should show as a marker");
        findOnce(one, "7", 1);

        MinimalPngReader.Image flat = plot(steps(50, s -> 2.5), List.of(), "flat");
        int[] span = columnsWith(flat, LossPlot.TRAIN);
        int left = lowest(flat, span[0], LossPlot.TRAIN);
        assertEquals(left, lowest(flat, span[1], LossPlot.TRAIN), "a flat loss is a horizontal line");
        assertTrue(left > 150 && left < 330, "and sits mid-plot, not on an edge: y=" + left);
    }

    @Test
    void skipsStepsWhoseLossIsNotFinite() {
        List<StepMetrics> training = steps(100, s -> s % 10 == 0 ? Double.NaN
                : s % 7 == 0 ? Double.POSITIVE_INFINITY : 3 - s / 50.0);
        List<double[]> validation = List.of(new double[] {50, Double.NaN}, new double[] {100, 1.2});
        MinimalPngReader.Image image = plot(training, validation, "spikes");
        assertTrue(count(image, LossPlot.TRAIN) > 500);
        findOnce(image, "3.0", 1); // the axis still fits the finite losses rather than blowing up
        findOnce(image, "validation loss", 1);

        MinimalPngReader.Image none = plot(steps(5, s -> Double.NaN), List.of(), "diverged");
        assertEquals(0, count(none, LossPlot.TRAIN));
        findOnce(none, "no finite loss values to plot", 1);
        findOnce(plot(List.of(), List.of(), "empty"), "no finite loss values to plot", 1);
    }

    @Test
    void plotsValidationWithoutTraining() {
        MinimalPngReader.Image image = plot(List.of(), List.of(new double[] {10, 2}, new double[] {20, 1}), "eval");
        assertTrue(count(image, LossPlot.VALIDATION) > 100);
        assertEquals(0, count(image, LossPlot.TRAIN));
    }

    @Test
    void drawsHundredThousandStepsAndKeepsTheirSpike() {
        List<StepMetrics> training = steps(100_000, s -> s == 50_000 ? 10 : 2 - s / 100_000.0);
        MinimalPngReader.Image image = plot(training, List.of(), "long run");
        findOnce(image, "100000", 1);
        findOnce(image, "10", 1);
        boolean spike = false;
        for (int x = 350; x < 450; x++) {
            for (int y = 0; y < 100; y++) {
                spike |= image.at(x, y) == LossPlot.TRAIN;
            }
        }
        assertTrue(spike, "one bad step in 100,000 must still reach the top of the plot");
    }

    @Test
    void thinsOnlyPointsThatShareAPixelColumnKeepingItsExtremes() {
        int n = 100_000;
        double[] columns = new double[n];
        double[] values = new double[n];
        Random random = new Random(5);
        for (int i = 0; i < n; i++) {
            columns[i] = 60 + 700.0 * i / n;
            values[i] = random.nextDouble();
        }
        values[12_345] = -1;
        values[67_890] = 2;
        int[] kept = LossPlot.decimate(columns, values);
        assertTrue(kept.length <= 4 * 701, kept.length + " points kept");
        assertEquals(0, kept[0]);
        assertEquals(n - 1, kept[kept.length - 1]);
        for (int k = 1; k < kept.length; k++) {
            assertTrue(kept[k] > kept[k - 1], "indices ascend");
        }
        assertTrue(Arrays.stream(kept).anyMatch(i -> i == 12_345) && Arrays.stream(kept).anyMatch(i -> i == 67_890));

        double[] sparse = {0, 10, 20, 30};
        assertArrayEquals(new int[] {0, 1, 2, 3}, LossPlot.decimate(sparse, new double[] {4, 3, 2, 1}));
    }

    @Test
    void refusesValidationEntriesThatAreNotPairs() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> LossPlot.write(dir.resolve("x.png"), falling(), List.of(new double[] {5}), "t"));
        assertTrue(e.getMessage().contains("{step, loss}"), e.getMessage());
    }

    @Test
    void replacesTheFileAtomicallyLeavingNoTemporaryFiles() throws IOException {
        Path png = dir.resolve("runs/demo/loss.png");
        LossPlot.write(png, falling(), List.of(), "first");
        byte[] first = Files.readAllBytes(png);
        LossPlot.write(png, steps(10, s -> s), List.of(), "second");
        byte[] second = Files.readAllBytes(png);
        assertTrue(!Arrays.equals(first, second));
        MinimalPngReader.read(second);
        try (Stream<Path> files = Files.list(png.getParent())) {
            assertEquals(List.of(png), files.toList(), "only the plot should be left in its folder");
        }

        // A folder in the way makes the final rename fail: the error names the file and no litter remains.
        Path blocked = dir.resolve("blocked.png");
        Files.createDirectories(blocked.resolve("inside"));
        var e = assertThrows(IbexException.class, () -> LossPlot.write(blocked, falling(), List.of(), "t"));
        assertTrue(e.getMessage().contains("blocked.png"), e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
    }
}
