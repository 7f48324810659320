package dev.ibex.api.data;

import com.fasterxml.jackson.databind.JsonNode;

/** Typed access to a record's fields, with problems that name the field. */
final class Fields {
    private Fields() {
    }

    /** A string field that must be present. */
    static String string(JsonNode record, String field) throws RecordProblem {
        JsonNode v = record.get(field);
        if (v == null) {
            throw new RecordProblem(ProblemKind.MISSING_FIELD, "no \"" + field + "\" field");
        }
        return asString(v, "\"" + field + "\"");
    }

    /** The first of {@code fields} present, as a string; none present is a missing field named after the first. */
    static String firstString(JsonNode record, String what, String... fields) throws RecordProblem {
        for (String f : fields) {
            if (record.has(f)) {
                return string(record, f);
            }
        }
        throw new RecordProblem(ProblemKind.MISSING_FIELD, "no " + what + " field");
    }

    /** The first of {@code fields} present as a string, or "" when none is present or it is null. */
    static String optionalString(JsonNode record, String... fields) throws RecordProblem {
        for (String f : fields) {
            JsonNode v = record.get(f);
            if (v != null) {
                return v.isNull() ? "" : asString(v, "\"" + f + "\"");
            }
        }
        return "";
    }

    static String asString(JsonNode v, String what) throws RecordProblem {
        if (!v.isTextual()) {
            throw new RecordProblem(ProblemKind.WRONG_TYPE, what + " must be a string, not " + type(v));
        }
        return v.textValue();
    }

    static String type(JsonNode v) {
        return switch (v.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case STRING -> "a string";
            default -> v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
