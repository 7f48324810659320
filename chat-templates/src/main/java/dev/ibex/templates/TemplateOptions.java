package dev.ibex.templates;

import dev.ibex.spi.IbexException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * A template's options as they come from YAML or the command line, checked against the keys the template knows.
 * Values may be typed (YAML) or strings (command line), so {@code true} and {@code "true"} are both booleans.
 */
final class TemplateOptions {
    private final String template;
    private final Map<String, Object> values;

    private TemplateOptions(String template, Map<String, Object> values) {
        this.template = template;
        this.values = values;
    }

    /** Checks that every key is one of {@code valid}; an unknown key is an error that lists the valid ones. */
    static TemplateOptions of(String template, Map<String, Object> options, Set<String> valid) {
        Map<String, Object> values = options == null ? Map.of() : options;
        for (String key : values.keySet()) {
            if (!valid.contains(key)) {
                throw new IbexException("chat template " + template + ": unknown option \"" + key + "\"; valid options: "
                        + (valid.isEmpty() ? "none" : String.join(", ", new TreeSet<>(valid))));
            }
        }
        return new TemplateOptions(template, values);
    }

    boolean has(String key) {
        return values.get(key) != null;
    }

    Object raw(String key) {
        return values.get(key);
    }

    boolean bool(String key, boolean fallback) {
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

    OptionalInt positiveInt(String key) {
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
    List<String> strings(String key, List<String> fallback) {
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

    IbexException invalid(String key, Object value, String expected) {
        return new IbexException("chat template " + template + ": option " + key + " must be " + expected
                + ", not " + describe(value));
    }

    private static String describe(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }
}
