package dev.ibex.spi.arch;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face {@code config.json}, parsed into plain values (maps, lists, strings, numbers, booleans), with
 * typed getters whose errors name the file and the key.
 */
public final class HfConfig {
    private final Map<String, Object> values;
    private final String source;

    /**
     * @param values the parsed JSON object
     * @param source where it came from, for messages ({@code "models/tiny/config.json"})
     */
    public HfConfig(Map<String, Object> values, String source) {
        this.values = Collections.unmodifiableMap(values);
        this.source = source;
    }

    public Map<String, Object> values() {
        return values;
    }

    public String source() {
        return source;
    }

    public boolean has(String key) {
        return values.containsKey(key) && values.get(key) != null;
    }

    /** {@code model_type}, or an empty string. */
    public String modelType() {
        return string("model_type", "");
    }

    /** The {@code architectures} list, or empty. */
    public List<String> architectures() {
        Object v = values.get("architectures");
        if (v instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    public int intValue(String key, int fallback) {
        return has(key) ? requireInt(key) : fallback;
    }

    public int requireInt(String key) {
        Object v = require(key);
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return Math.toIntExact(n.longValue());
        }
        throw wrongType(key, "an integer", v);
    }

    /** The first of {@code keys} present (legacy aliases, e.g. {@code n_head} / {@code num_attention_heads}). */
    public Optional<Integer> firstInt(String... keys) {
        for (String key : keys) {
            if (has(key)) {
                return Optional.of(requireInt(key));
            }
        }
        return Optional.empty();
    }

    public double doubleValue(String key, double fallback) {
        if (!has(key)) {
            return fallback;
        }
        Object v = values.get(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw wrongType(key, "a number", v);
    }

    public boolean bool(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        Object v = values.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, "true or false", v);
    }

    public String string(String key, String fallback) {
        if (!has(key)) {
            return fallback;
        }
        Object v = values.get(key);
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(key, "a string", v);
    }

    /** A nested object, or empty when absent or null. */
    @SuppressWarnings("unchecked")
    public Optional<Map<String, Object>> object(String key) {
        Object v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map<?, ?> m) {
            return Optional.of((Map<String, Object>) m);
        }
        throw wrongType(key, "an object", v);
    }

    /** Token ids that may be a single int or a list ({@code eos_token_id}). */
    public List<Integer> intList(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof Number n) {
            return List.of(n.intValue());
        }
        if (v instanceof List<?> list) {
            return list.stream().map(o -> ((Number) o).intValue()).toList();
        }
        throw wrongType(key, "an integer or a list of integers", v);
    }

    private Object require(String key) {
        if (!has(key)) {
            throw new ConfigException(source + ": missing required key \"" + key + "\"");
        }
        return values.get(key);
    }

    private ConfigException wrongType(String key, String expected, Object actual) {
        return new ConfigException(source + ": \"" + key + "\" must be " + expected + ", got " + actual);
    }

    /** A clear error about this config ("sliding_window must be positive"). */
    public ConfigException error(String message) {
        return new ConfigException(source + ": " + message);
    }
}
