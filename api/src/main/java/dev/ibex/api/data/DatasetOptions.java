package dev.ibex.api.data;

import dev.ibex.spi.IbexException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A dataset's options, checked against the keys its format knows. */
final class DatasetOptions {
    private final String owner;
    private final Map<String, Object> values;

    private DatasetOptions(String owner, Map<String, Object> values) {
        this.owner = owner;
        this.values = values;
    }

    static DatasetOptions of(DatasetSpec spec, Set<String> valid) {
        String owner = "dataset " + spec.path() + " (type " + spec.type() + ")";
        for (String key : spec.options().keySet()) {
            if (!valid.contains(key)) {
                throw new IbexException(owner + ": unknown option \"" + key + "\"; valid options: "
                        + String.join(", ", new TreeSet<>(valid)));
            }
        }
        return new DatasetOptions(owner, spec.options());
    }

    String string(String key) {
        Object v = values.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String s && !s.isBlank()) {
            return s;
        }
        throw invalid(key, v, "a non-empty string");
    }

    String choice(String key, String fallback, List<String> allowed) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof String s && allowed.contains(s.toLowerCase(Locale.ROOT))) {
            return s.toLowerCase(Locale.ROOT);
        }
        throw invalid(key, v, "one of " + String.join(", ", allowed));
    }

    /** A map of strings whose keys are among {@code allowedKeys}. */
    Map<String, String> stringMap(String key, Set<String> allowedKeys) {
        Object v = values.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> map)) {
            throw invalid(key, v, "a map");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String k) || !allowedKeys.contains(k)) {
                throw invalid(key, v, "a map with keys among " + String.join(", ", new TreeSet<>(allowedKeys)));
            }
            if (!(e.getValue() instanceof String s) || s.isBlank()) {
                throw invalid(key, v, "a map of field names");
            }
            out.put(k, s);
        }
        return out;
    }

    private IbexException invalid(String key, Object value, String expected) {
        return new IbexException(owner + ": option " + key + " must be " + expected + ", not "
                + (value instanceof String s ? "\"" + s + "\"" : value));
    }
}
