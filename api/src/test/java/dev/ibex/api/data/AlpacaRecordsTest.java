package dev.ibex.api.data;

import static dev.ibex.api.data.Fixtures.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.chat.Conversation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlpacaRecordsTest {
    private static final List<Conversation> EXPECTED = List.of(
            Conversation.alpaca("Give three tips for staying healthy.", "",
                    "1. Eat a balanced diet.\n2. Exercise.\n3. Sleep well."),
            Conversation.alpaca("Translate to French.", "cat", "chat"),
            Conversation.alpaca("Name a primary color.", "", "Blue."));

    private static List<Conversation> conversations(Dataset d) {
        return d.examples().stream().map(e -> ((ChatExample) e).conversation()).toList();
    }

    @Test
    void readsAJsonArrayFileWithTheLineOfEachRecord() {
        Dataset d = Fixtures.load("alpaca.json", "alpaca");
        assertEquals(EXPECTED, conversations(d));
        assertEquals(List.of(at("alpaca.json", 2), at("alpaca.json", 7), at("alpaca.json", 12)), Fixtures.locations(d));
        assertEquals(0, d.report().skippedCount());
    }

    @Test
    void readsJsonLinesSkippingBlankLinesWithoutCountingThemAsProblems() {
        Dataset d = Fixtures.load("alpaca.jsonl", "alpaca");
        assertEquals(EXPECTED, conversations(d));
        assertEquals(List.of(at("alpaca.jsonl", 1), at("alpaca.jsonl", 2), at("alpaca.jsonl", 4)), Fixtures.locations(d));
        assertEquals(List.of(), d.report().summary());
    }

    @Test
    void readsDollyContextAsInputAndResponseAsOutput() {
        Dataset d = Fixtures.load("dolly.jsonl", "alpaca");
        assertEquals(List.of(
                Conversation.alpaca("When did Virgin Australia start operating?",
                        "Virgin Australia commenced services on 31 August 2000.", "On 31 August 2000."),
                Conversation.alpaca("Which is a species of fish? Tope or Rope", "", "Tope")), conversations(d));
    }

    @Test
    void skipsMalformedRecordsWithOneSummaryLinePerKind() {
        Dataset d = Fixtures.load("alpaca_errors.jsonl", "alpaca");
        assertEquals(List.of(at("alpaca_errors.jsonl", 1), at("alpaca_errors.jsonl", 8)), Fixtures.locations(d));
        LoadReport r = d.report();
        assertEquals(2, r.kept());
        assertEquals(7, r.skippedCount());
        assertEquals(List.of(ProblemKind.INVALID_JSON, ProblemKind.NOT_AN_OBJECT, ProblemKind.MISSING_FIELD,
                ProblemKind.WRONG_TYPE, ProblemKind.EMPTY_OUTPUT), List.copyOf(r.skipped().keySet()));
        assertEquals(new LoadReport.Skipped(2, 3, "no \"output\" (or Dolly's \"response\") field"),
                r.skipped().get(ProblemKind.MISSING_FIELD));
        assertEquals(new LoadReport.Skipped(1, 4, "\"instruction\" must be a string, not a number"),
                r.skipped().get(ProblemKind.WRONG_TYPE));
        assertEquals(new LoadReport.Skipped(1, 5, "\"output\" is empty"), r.skipped().get(ProblemKind.EMPTY_OUTPUT));
        assertEquals(new LoadReport.Skipped(1, 7, "expected a JSON object, found an array"),
                r.skipped().get(ProblemKind.NOT_AN_OBJECT));
        LoadReport.Skipped json = r.skipped().get(ProblemKind.INVALID_JSON);
        assertEquals(2, json.count());
        assertEquals(2, json.firstLine());
        assertTrue(json.firstMessage().startsWith("invalid JSON at column "), json.firstMessage());
        assertEquals(Fixtures.path("alpaca_errors.jsonl") + ": skipped 2 records with a missing field (first at line 3:"
                + " no \"output\" (or Dolly's \"response\") field)", r.summary().get(2));
        assertEquals(Fixtures.path("alpaca_errors.jsonl") + ": skipped 1 record with nothing to train on (first at"
                + " line 5: \"output\" is empty)", r.summary().get(4));
    }

    @Test
    void onErrorFailStopsAtTheFirstBadRecordWithFileAndLine() {
        IbexException e = assertThrows(IbexException.class,
                () -> Fixtures.load("alpaca_errors.jsonl", "alpaca", Map.of("on_error", "fail")));
        assertTrue(e.getMessage().startsWith(at("alpaca_errors.jsonl", 2) + ": invalid JSON at column "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(on_error: fail; use on_error: skip to skip such records)"), e.getMessage());
    }

    @Test
    void aSyntaxErrorInsideAJsonArrayIsFatalAndNamesItsLine() {
        IbexException e = assertThrows(IbexException.class, () -> Fixtures.load("alpaca_broken_array.json", "alpaca"));
        assertTrue(e.getMessage().startsWith(Fixtures.path("alpaca_broken_array.json") + ":4:"), e.getMessage());
        assertTrue(e.getMessage().contains("invalid JSON"), e.getMessage());
    }
}
