package dev.ibex.api.run;

import java.util.Map;

/**
 * One entry of {@code datasets:}.
 *
 * @param path    file (relative paths resolve against the YAML file's folder)
 * @param type    format: alpaca, guanaco, chatml (messages), tokenized, ...
 * @param options every other key of the entry (format options such as {@code field_messages}, {@code on_error})
 */
public record DatasetEntry(String path, String type, Map<String, Object> options) {
    public DatasetEntry {
        options = Map.copyOf(options);
    }
}
