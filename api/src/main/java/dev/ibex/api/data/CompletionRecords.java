package dev.ibex.api.data;

import com.fasterxml.jackson.databind.JsonNode;

/** axolotl's {@code completion} records: a {@code text} field (or the one the {@code field} option names) of raw text. */
final class CompletionRecords implements RecordReader {
    private final String field;

    CompletionRecords(String field) {
        this.field = field == null ? "text" : field;
    }

    @Override
    public Example read(JsonNode record, String location) throws RecordProblem {
        String text = Fields.string(record, field);
        if (text.isBlank()) {
            throw new RecordProblem(ProblemKind.EMPTY_OUTPUT, "\"" + field + "\" is empty");
        }
        return new TextExample(text, location);
    }
}
