package dev.ibex.api.data;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One dataset to read, as a YAML {@code datasets:} entry gives it.
 *
 * @param path    the JSON or JSONL file
 * @param type    the format name ({@code alpaca}, {@code guanaco}, {@code chatml}, {@code tokenized}, …;
 *                see {@link Datasets#types()})
 * @param options the format's options, e.g. {@code on_error}, {@code field_messages}; unknown keys are errors
 */
public record DatasetSpec(Path path, String type, Map<String, Object> options) {
    public DatasetSpec {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        // YAML maps may hold null values, which Map.copyOf refuses; keep them and the order they were written in.
        options = options == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    public DatasetSpec(Path path, String type) {
        this(path, type, Map.of());
    }
}
