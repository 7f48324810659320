package dev.ibex.spi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * A plugin's options as they come from YAML (typed values) or the command line (strings), checked against the keys
 * it knows: an unknown key or a value of the wrong kind is an {@link IbexException} that names the owner, the key
 * and what was expected. So {@code true} and {@code "true"} are both booleans, and a single string is a list of one.
 */
public final class Options {
    private final String owner;
    private final Map<String, Object> values;

    private Options(String owner, Map<String, Object> values) {
        this.owner = owner;
        this.values = values;
    }

    /**
     * @param owner  who the options belong to, for messages ({@code "chat template alpaca"})
     * @param values the options (null means none)
     * @param valid  the keys the owner knows
     */
    public static Options of(String owner, Map<String, Object> values, Set<String> valid) {
        Map<String, Object> v = values == null ? Map.of() : values;
        for (String key : v.keySet()) {
            if (!valid.contains(key)) {
                throw new IbexException(owner + ": unknown option \"" + key + "\"; valid options: "
                        + (valid.isEmpty() ? "none" : String.join(", ", new TreeSet<>(valid))));
            }
        }
        return new Options(owner, v);
    }

    public boolean has(String key) {
        return values.get(key) != null;
    }

    /** The value as given, or null. */
    public Object raw(String key) {
        return values.get(key);
    }

    /** A non-empty string, or null when absent. */
    public String string(String key) {
        Object v = values.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String s && !s.isBlank()) {
            return s;
        }
        throw invalid(key, v, "a non-empty string");
    }

    public boolean bool(String key, boolean fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw invalid(key, v, "true or false");
    }

    /** One of {@code allowed} (compared without case), returned in lower case. */
    public String choice(String key, String fallback, List<String> allowed) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof String s && allowed.contains(s.toLowerCase(Locale.ROOT))) {
            return s.toLowerCase(Locale.ROOT);
        }
        throw invalid(key, v, "one of " + String.join(", ", allowed));
    }

    public OptionalInt positiveInt(String key) {
        Object v = values.get(key);
        if (v == null) {
            return OptionalInt.empty();
        }
        long n;
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            n = ((Number) v).longValue();
        } else if (v instanceof String s && s.matches("\\d{1,10}")) {
            n = Long.parseLong(s);
        } else {
            throw invalid(key, v, "a positive whole number");
        }
        if (n <= 0 || n > Integer.MAX_VALUE) {
            throw invalid(key, v, "a positive whole number");
        }
        return OptionalInt.of((int) n);
    }

    /** A list of strings; a single string is a list of one (so {@code roles_to_train: assistant} works). */
    public List<String> strings(String key, List<String> fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            for (Object item : list) {
                if (!(item instanceof String s)) {
                    throw invalid(key, v, "a list of strings");
                }
                out.add(s);
            }
            return List.copyOf(out);
        }
        throw invalid(key, v, "a list of strings");
    }

    /** A map of non-empty strings whose keys are among {@code allowedKeys}. */
    public Map<String, String> stringMap(String key, Set<String> allowedKeys) {
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

    /** The error for option {@code key} holding {@code value} where {@code expected} was needed. */
    public IbexException invalid(String key, Object value, String expected) {
        return new IbexException(owner + ": option " + key + " must be " + expected + ", not "
                + (value instanceof String s ? "\"" + s + "\"" : String.valueOf(value)));
    }
}
