package dev.ibex.api.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.spi.chat.Conversation;

/**
 * Alpaca records {@code {"instruction", "input", "output"}} (input optional, may be "" or null), and Dolly-15k's
 * {@code {"instruction", "context", "response"}} with context as the input ({@code category} is ignored).
 */
final class AlpacaRecords implements RecordReader {
    @Override
    public Example read(JsonNode record, String location) throws RecordProblem {
        String instruction = Fields.string(record, "instruction");
        String input = Fields.optionalString(record, "input", "context");
        String outputField = record.has("output") || !record.has("response") ? "output" : "response";
        String output = Fields.firstString(record, "\"output\" (or Dolly's \"response\")", outputField);
        if (output.isBlank()) {
            throw new RecordProblem(ProblemKind.EMPTY_OUTPUT, "\"" + outputField + "\" is empty");
        }
        return new ChatExample(Conversation.alpaca(instruction, input, output), location);
    }
}
