package dev.ibex.templates;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ibex.spi.chat.EncodedExample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Expected ids and labels, built span by span so that a test reads as the layout it pins:
 * {@code new Expected().masked(BOS).masked("prompt").trained("reply").trained(EOS)}. Text spans use one id per
 * character ({@link PieceTokenizer#chars}).
 */
final class Expected {
    private final List<Integer> ids = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();

    Expected masked(int... more) {
        for (int id : more) {
            ids.add(id);
            labels.add(EncodedExample.IGNORE);
        }
        return this;
    }

    Expected trained(int... more) {
        for (int id : more) {
            ids.add(id);
            labels.add(id);
        }
        return this;
    }

    Expected masked(String text) {
        return masked(PieceTokenizer.chars(text));
    }

    Expected trained(String text) {
        return trained(PieceTokenizer.chars(text));
    }

    int size() {
        return ids.size();
    }

    void assertEncodes(EncodedExample actual) {
        int[] expectedIds = ids.stream().mapToInt(Integer::intValue).toArray();
        int[] expectedLabels = labels.stream().mapToInt(Integer::intValue).toArray();
        assertEquals(expectedIds.length, actual.inputIds().length,
                () -> "length; expected ids " + Arrays.toString(expectedIds) + " got " + Arrays.toString(actual.inputIds()));
        assertArrayEquals(expectedIds, actual.inputIds(), "input ids");
        assertArrayEquals(expectedLabels, actual.labels(), "labels");
    }
}
