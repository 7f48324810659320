package dev.ibex.api.data;

import java.util.List;
import java.util.Objects;

/**
 * A dataset file read into examples.
 *
 * @param spec     what was asked for
 * @param examples the usable records, in file order (never empty)
 * @param report   what was kept and skipped
 */
public record Dataset(DatasetSpec spec, List<Example> examples, LoadReport report) {
    public Dataset {
        Objects.requireNonNull(spec, "spec");
        examples = List.copyOf(examples);
        Objects.requireNonNull(report, "report");
    }
}
