package dev.ibex.api.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.chat.Conversation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing a reader by type, options, and the errors every format shares. */
class DatasetsTest {
    @Test
    void anUnknownTypeListsTheKnownOnes() {
        IbexException e = assertThrows(IbexException.class, () -> Fixtures.load("alpaca.json", "oasst"));
        assertEquals("dataset " + Fixtures.path("alpaca.json") + ": unknown type \"oasst\"; known types: alpaca,"
                + " chat_template, chatml, completion, guanaco, messages, sharegpt, tokenized", e.getMessage());
    }

    @Test
    void anUnknownOptionListsTheValidOnes() {
        IbexException e = assertThrows(IbexException.class,
                () -> Fixtures.load("alpaca.json", "alpaca", Map.of("field_messages", "messages")));
        assertEquals("dataset " + Fixtures.path("alpaca.json") + " (type alpaca): unknown option \"field_messages\";"
                + " valid options: on_error", e.getMessage());
        IbexException value = assertThrows(IbexException.class,
                () -> Fixtures.load("alpaca.json", "alpaca", Map.of("on_error", "ignore")));
        assertTrue(value.getMessage().endsWith("option on_error must be one of skip, fail, not \"ignore\""),
                value.getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = Fixtures.DIR.resolve("nope.jsonl");
        IbexException e = assertThrows(IbexException.class, () -> Datasets.load(new DatasetSpec(missing, "alpaca")));
        assertEquals(missing + ": dataset file not found", e.getMessage());
    }

    @Test
    void anEmptyFileIsAnError() {
        IbexException e = assertThrows(IbexException.class, () -> Fixtures.load("empty.jsonl", "alpaca"));
        assertEquals(Fixtures.path("empty.jsonl") + ": no usable records (the file holds none)", e.getMessage());
    }

    @Test
    void aFileWhoseRecordsAreAllSkippedIsAnErrorThatSummarisesWhy() {
        IbexException e = assertThrows(IbexException.class, () -> Fixtures.load("all_bad.jsonl", "alpaca"));
        Path p = Fixtures.path("all_bad.jsonl");
        assertEquals(p + ": no usable records; " + p + ": skipped 1 record with a missing field (first at line 1: no"
                + " \"output\" (or Dolly's \"response\") field); " + p + ": skipped 1 record with nothing to train on"
                + " (first at line 2: \"output\" is empty)", e.getMessage());
    }

    @Test
    void aByteOrderMarkIsIgnoredInBothLayouts(@TempDir Path dir) throws IOException {
        String record = "{\"instruction\": \"Name a primary color.\", \"output\": \"Blue.\"}";
        Path lines = Files.writeString(dir.resolve("bom.jsonl"), "\uFEFF" + record + "\n", StandardCharsets.UTF_8);
        Path array = Files.writeString(dir.resolve("bom.json"), "\uFEFF[" + record + "]", StandardCharsets.UTF_8);
        for (Path p : List.of(lines, array)) {
            Dataset d = Datasets.load(new DatasetSpec(p, "alpaca"));
            assertEquals(Conversation.alpaca("Name a primary color.", "", "Blue."),
                    ((ChatExample) d.examples().getFirst()).conversation());
        }
    }

    @Test
    void textThatIsNotUtf8IsNamed(@TempDir Path dir) throws IOException {
        Path p = Files.write(dir.resolve("latin1.jsonl"),
                "{\"instruction\": \"caf\u00e9\", \"output\": \"x\"}\n".getBytes(StandardCharsets.ISO_8859_1));
        IbexException e = assertThrows(IbexException.class, () -> Datasets.load(new DatasetSpec(p, "alpaca")));
        assertTrue(e.getMessage().startsWith(p + ":"), e.getMessage());
        assertTrue(e.getMessage().contains("not UTF-8 text"), e.getMessage());
    }

    @Test
    void twoRecordsOnOneLineAreInvalidJsonNotOneRecord(@TempDir Path dir) throws IOException {
        Path p = Files.writeString(dir.resolve("junk.jsonl"), "{\"instruction\": \"a\", \"output\": \"b\"} {\"instruction\": \"x\"}\n"
                + "{\"instruction\": \"c\", \"output\": \"d\"}\n");
        LoadReport.Skipped s = Datasets.load(new DatasetSpec(p, "alpaca")).report().skipped().get(ProblemKind.INVALID_JSON);
        assertEquals(1, s.firstLine());
        assertTrue(s.firstMessage().startsWith("invalid JSON at column ")
                && s.firstMessage().contains("Trailing token"), s.firstMessage());
    }

    @Test
    void contentAfterAJsonArrayIsFatal(@TempDir Path dir) throws IOException {
        Path p = Files.writeString(dir.resolve("two.json"), "[{\"instruction\": \"a\", \"output\": \"b\"}]\n[]\n");
        IbexException e = assertThrows(IbexException.class, () -> Datasets.load(new DatasetSpec(p, "alpaca")));
        assertEquals(p + ":2: unexpected content after the JSON array", e.getMessage());
    }

    @Test
    void specOptionsMayHoldNullsAndAreCopied() {
        Map<String, Object> options = new java.util.HashMap<>();
        options.put("on_error", null);
        DatasetSpec spec = new DatasetSpec(Fixtures.path("alpaca.json"), "alpaca", options);
        options.put("on_error", "fail");
        assertEquals(3, Datasets.load(spec).examples().size());
        assertTrue(spec.options().containsKey("on_error"));
    }
}
