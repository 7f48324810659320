package dev.ibex.api.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What reading a dataset file found: how many records were kept and, per kind of problem, how many were skipped
 * and where the first one was.
 *
 * @param file    the dataset file
 * @param kept    records turned into examples
 * @param skipped problems by kind, in {@link ProblemKind} order
 */
public record LoadReport(Path file, int kept, Map<ProblemKind, Skipped> skipped) {
    public LoadReport {
        EnumMap<ProblemKind, Skipped> ordered = new EnumMap<>(ProblemKind.class);
        ordered.putAll(skipped);
        skipped = Collections.unmodifiableMap(ordered);
    }

    /**
     * Skipped records of one kind.
     *
     * @param count        how many
     * @param firstLine    the line of the first one
     * @param firstMessage what was wrong with the first one
     */
    public record Skipped(int count, int firstLine, String firstMessage) {
    }

    public int skippedCount() {
        return skipped.values().stream().mapToInt(Skipped::count).sum();
    }

    /** One line per kind of problem: {@code data.jsonl: skipped 2 records with a missing field (first at line 4: …)}. */
    public List<String> summary() {
        List<String> lines = new ArrayList<>();
        skipped.forEach((kind, s) -> lines.add(file + ": skipped " + s.count() + (s.count() == 1 ? " record" : " records")
                + " with " + kind.description() + " (first at line " + s.firstLine() + ": " + s.firstMessage() + ")"));
        return lines;
    }
}
