package dev.ibex.api.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AxisTicksTest {
    private static List<String> labels(AxisTicks t) {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < t.count(); i++) {
            labels.add(t.label(i));
        }
        return labels;
    }

    @Test
    void roundsALossRangeOutToHalves() {
        AxisTicks t = AxisTicks.covering(0.93, 2.71, 8, false);
        assertEquals(List.of("0.5", "1.0", "1.5", "2.0", "2.5", "3.0"), labels(t));
    }

    @Test
    void countsStepsInWholeNumbersFromZero() {
        assertEquals(List.of("0", "20", "40", "60", "80", "100", "120", "140", "160", "180", "200"),
                labels(AxisTicks.covering(1, 200, 10, true)));
        assertEquals(List.of("1", "2", "3"), labels(AxisTicks.covering(1, 3, 10, true)));
    }

    @Test
    void widensAZeroWidthRangeAroundItsValue() {
        AxisTicks flat = AxisTicks.covering(2.5, 2.5, 8, false);
        assertTrue(flat.lo() < 2.5 && flat.hi() > 2.5, flat.toString());
        AxisTicks oneStep = AxisTicks.covering(7, 7, 10, true);
        assertEquals(List.of("6", "7", "8"), labels(oneStep));
        AxisTicks zero = AxisTicks.covering(0, 0, 8, false);
        assertTrue(zero.lo() < 0 && zero.hi() > 0, zero.toString());
    }

    @Test
    void neverPrintsNegativeZero() {
        assertFalse(labels(AxisTicks.covering(-0.3, 0.7, 8, false)).stream().anyMatch(l -> l.matches("-0\\.?0*")));
    }

    @Test
    void keepsEnoughDecimalsForTinyLosses() {
        assertEquals(List.of("0.00010", "0.00015", "0.00020", "0.00025", "0.00030"),
                labels(AxisTicks.covering(1.2e-4, 2.9e-4, 8, false)).subList(0, 5));
    }

    /** Whatever the range, the ticks contain it, are few, nice, evenly spaced and labelled distinctly. */
    @Test
    void coversAnyRangeWithFewNiceDistinctTicks() {
        Random random = new Random(7);
        for (int trial = 0; trial < 500; trial++) {
            double scale = Math.pow(10, random.nextInt(13) - 6);
            double min = (random.nextDouble() * 2 - 1) * scale;
            double max = min + random.nextDouble() * scale;
            AxisTicks t = AxisTicks.covering(min, max, 8, false);
            String what = "[" + min + ", " + max + "] -> " + t;
            assertTrue(t.lo() <= min && t.hi() >= max, what);
            assertTrue(t.count() >= 2 && t.count() <= 10, what);
            double mantissa = t.step() / Math.pow(10, Math.floor(Math.log10(t.step())));
            assertTrue(List.of(1.0, 2.0, 5.0).stream().anyMatch(m -> Math.abs(m - mantissa) < 1e-6), what);
            List<String> labels = labels(t);
            assertEquals(labels.size(), new HashSet<>(labels).size(), what + " labels " + labels);
            for (int i = 0; i < t.count(); i++) {
                assertEquals(t.value(i), Double.parseDouble(labels.get(i)), t.step() * 1e-3, what);
            }
        }
    }
}
