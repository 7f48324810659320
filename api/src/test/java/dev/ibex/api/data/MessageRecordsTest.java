package dev.ibex.api.data;

import static dev.ibex.api.data.Fixtures.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.api.internal.Json;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.chat.Conversation;
import dev.ibex.spi.chat.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageRecordsTest {
    private static Conversation first(Dataset d) {
        return ((ChatExample) d.examples().getFirst()).conversation();
    }

    @Test
    void readsMessagesWithSystemAndSeveralTurns() {
        Dataset d = Fixtures.load("chatml.jsonl", "chatml");
        assertEquals(Conversation.of(Message.system("You are terse."), Message.user("Hi"), Message.assistant("Hello."),
                Message.user("Bye"), Message.assistant("Ciao.")), first(d));
        assertEquals(2, d.examples().size());
    }

    @Test
    void readsShareGptConversationsFromAJsonArray() {
        for (String type : List.of("sharegpt", "messages", "chat_template", "ChatML")) {
            Dataset d = Fixtures.load("sharegpt.json", type);
            assertEquals(Conversation.of(Message.system("You are helpful."),
                    Message.user("What is the capital of France?"), Message.assistant("Paris.")), first(d), type);
            assertEquals(List.of(at("sharegpt.json", 2)), Fixtures.locations(d));
        }
    }

    @Test
    void axolotlsFieldOptionsNameTheFields() {
        Dataset d = Fixtures.load("custom_fields.jsonl", "chatml", Map.of("field_messages", "dialog",
                "message_property_mappings", Map.of("role", "speaker", "content", "text")));
        assertEquals(Conversation.of(Message.user("Hi"), Message.assistant("Hello.")), first(d));
    }

    @Test
    void reportsEachKindOfBadMessage() {
        Dataset d = Fixtures.load("messages_errors.jsonl", "messages");
        assertEquals(List.of(at("messages_errors.jsonl", 1)), Fixtures.locations(d));
        Map<ProblemKind, LoadReport.Skipped> s = d.report().skipped();
        assertEquals(new LoadReport.Skipped(1, 2, "message 2 has unknown role \"tool\"; known roles: system, user (human),"
                + " assistant (gpt)"), s.get(ProblemKind.UNKNOWN_ROLE));
        assertEquals(new LoadReport.Skipped(3, 3, "message 1 must be an object, not a string"), s.get(ProblemKind.WRONG_TYPE));
        assertEquals(new LoadReport.Skipped(2, 4, "message 1 has no \"content\" (or ShareGPT \"value\")"),
                s.get(ProblemKind.MISSING_FIELD));
        assertEquals(new LoadReport.Skipped(2, 6, "no assistant message"), s.get(ProblemKind.EMPTY_OUTPUT));
        assertEquals(8, d.report().skippedCount());
    }

    @Test
    void eachBadRecordHasItsOwnMessage() throws IOException {
        List<String> lines = Files.readAllLines(Fixtures.path("messages_errors.jsonl"));
        MessageRecords reader = new MessageRecords(null, null, null);
        List<String> messages = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            try {
                reader.read(Json.parse(line, "test"), "test:1");
                messages.add("accepted " + line);
            } catch (RecordProblem p) {
                messages.add(p.kind() + ": " + p.getMessage());
            }
        }
        assertEquals(List.of(
                "UNKNOWN_ROLE: message 2 has unknown role \"tool\"; known roles: system, user (human), assistant (gpt)",
                "WRONG_TYPE: message 1 must be an object, not a string",
                "MISSING_FIELD: message 1 has no \"content\" (or ShareGPT \"value\")",
                "WRONG_TYPE: message 1 \"content\" must be a string, not null",
                "EMPTY_OUTPUT: no assistant message",
                "EMPTY_OUTPUT: assistant message 1 is empty",
                "WRONG_TYPE: \"messages\" must be an array, not a string",
                "MISSING_FIELD: no \"messages\" (or ShareGPT \"conversations\") field"), messages);
    }

    @Test
    void fieldOptionsAreChecked() {
        IbexException e = assertThrows(IbexException.class, () -> Fixtures.load("chatml.jsonl", "chatml",
                Map.of("message_property_mappings", Map.of("speaker", "from"))));
        assertTrue(e.getMessage().contains("option message_property_mappings must be a map with keys among content,"
                + " role"), e.getMessage());
        IbexException missing = assertThrows(IbexException.class, () -> Fixtures.load("chatml.jsonl", "chatml",
                Map.of("field_messages", "dialog", "on_error", "fail")));
        assertTrue(missing.getMessage().contains(":1: no \"dialog\" field"), missing.getMessage());
    }
}
