package dev.ibex.api.train;

import java.util.Locale;

/**
 * The ticks of one plot axis: from {@code lo} to {@code hi} in steps of {@code step}, where the step is a "nice"
 * number (1, 2 or 5 times a power of ten) and both ends are multiples of it, so that labels read 0.5, 1.0, 1.5 rather
 * than 0.47, 0.94, 1.41. The axis spans exactly {@code lo..hi}, which always contains the data.
 */
record AxisTicks(double lo, double hi, double step) {
    /** Relative slack so that 2.9999999 / 1.0 does not earn an extra, empty tick interval. */
    private static final double EPSILON = 1e-9;

    /**
     * Ticks covering {@code min..max} with at most about {@code intervals} intervals. A zero-width range (one point,
     * or a flat loss) is widened around its value so that the point lands mid-axis instead of dividing by zero.
     * With {@code integers} the step is at least 1, for axes that count optimizer steps.
     */
    static AxisTicks covering(double min, double max, int intervals, boolean integers) {
        if (!(max > min)) {
            double pad = integers ? 1 : (min != 0 ? Math.abs(min) * 0.05 : 1);
            min -= pad;
            max += pad;
        }
        double step = niceAtLeast((max - min) / intervals);
        if (integers) {
            step = Math.max(1, step);
        }
        double lo = Math.floor(min / step + EPSILON) * step;
        double hi = Math.ceil(max / step - EPSILON) * step;
        return new AxisTicks(lo, hi, step);
    }

    /** The smallest of 1, 2, 5 × 10^k that is at least {@code raw}. */
    static double niceAtLeast(double raw) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double fraction = raw / magnitude;
        double nice = fraction <= 1 + EPSILON ? 1 : fraction <= 2 + EPSILON ? 2 : fraction <= 5 + EPSILON ? 5 : 10;
        return nice * magnitude;
    }

    int count() {
        return (int) Math.round((hi - lo) / step) + 1;
    }

    /** Tick {@code i}, computed from {@code lo} rather than accumulated, and snapped to 0 so it never prints "-0.0". */
    double value(int i) {
        double v = lo + i * step;
        return Math.abs(v) < step * 1e-6 ? 0 : v;
    }

    /** The label of tick {@code i}, with just enough decimals to tell neighbouring ticks apart. */
    String label(int i) {
        int decimals = (int) Math.max(0, Math.min(12, -Math.floor(Math.log10(step) + EPSILON)));
        return String.format(Locale.ROOT, "%." + decimals + "f", value(i));
    }

    /** Where {@code v} falls between {@code lo} (0) and {@code hi} (1). */
    double fraction(double v) {
        return (v - lo) / (hi - lo);
    }
}
