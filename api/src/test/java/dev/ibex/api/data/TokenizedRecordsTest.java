package dev.ibex.api.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ibex.api.internal.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenizedRecordsTest {
    private static final Dataset DATA = Fixtures.load("tokenized.jsonl", "tokenized");

    private static TokenizedExample example(int i) {
        return (TokenizedExample) DATA.examples().get(i);
    }

    @Test
    void keepsGivenLabelsAndMask() {
        assertArrayEquals(new int[] {1, 15043, 3186, 2}, example(0).inputIds());
        assertArrayEquals(new int[] {-100, -100, 3186, 2}, example(0).labels());
        assertArrayEquals(new int[] {1, 1, 1, 1}, example(0).attentionMask());
        assertArrayEquals(example(0).labels(), example(0).toEncoded().labels());
    }

    @Test
    void withoutLabelsTheIdsAreTrainedExceptWhereMasked() {
        assertArrayEquals(new int[] {1, 22557, 1526, -100, -100}, example(1).labels());
        assertArrayEquals(new int[] {1, 2, 3}, example(2).labels());
        assertArrayEquals(new int[] {1, 1, 1}, example(2).attentionMask());
    }

    @Test
    void reportsLengthValueAndTypeProblems() {
        assertEquals(3, DATA.examples().size());
        Map<ProblemKind, LoadReport.Skipped> s = DATA.report().skipped();
        assertEquals(List.of(ProblemKind.MISSING_FIELD, ProblemKind.WRONG_TYPE, ProblemKind.EMPTY_OUTPUT,
                ProblemKind.INVALID_TOKENS), List.copyOf(s.keySet()));
        assertEquals(new LoadReport.Skipped(4, 4, "\"labels\" has 2 values for 3 input_ids"), s.get(ProblemKind.INVALID_TOKENS));
        assertEquals(new LoadReport.Skipped(2, 9, "\"input_ids\" must be an array of integers, not a string"),
                s.get(ProblemKind.WRONG_TYPE));
        assertEquals(new LoadReport.Skipped(2, 8, "every label is -100"), s.get(ProblemKind.EMPTY_OUTPUT));
        assertEquals(new LoadReport.Skipped(1, 11, "no \"input_ids\" field"), s.get(ProblemKind.MISSING_FIELD));
    }

    @Test
    void eachValueProblemNamesThePosition() {
        TokenizedRecords reader = new TokenizedRecords();
        List<String> messages = new ArrayList<>();
        for (String json : List.of("{\"input_ids\": [1, -2, 3]}",
                "{\"input_ids\": [1, 2, 3], \"attention_mask\": [1, 2, 1]}",
                "{\"input_ids\": [1, 2, 3], \"labels\": [1, -5, 3]}",
                "{\"input_ids\": [1, 2.5, 3]}",
                "{\"input_ids\": [1, 4294967296]}",
                "{\"input_ids\": []}")) {
            try {
                reader.read(Json.parse(json, "test"), "test:1");
                messages.add("accepted " + json);
            } catch (RecordProblem p) {
                messages.add(p.kind() + ": " + p.getMessage());
            }
        }
        assertEquals(List.of(
                "INVALID_TOKENS: input_ids[1] is negative (-2)",
                "INVALID_TOKENS: attention_mask[1] is 2; mask values are 0 or 1",
                "INVALID_TOKENS: labels[1] is -5; labels are token ids or -100",
                "WRONG_TYPE: input_ids[1] must be a 32-bit integer, not 2.5",
                "WRONG_TYPE: input_ids[1] must be a 32-bit integer, not 4294967296",
                "EMPTY_OUTPUT: \"input_ids\" is empty"), messages);
    }
}
