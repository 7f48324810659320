package dev.ibex.api.data;

import static dev.ibex.api.data.Fixtures.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ibex.spi.chat.Conversation;
import dev.ibex.spi.chat.Message;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuanacoRecordsTest {
    @Test
    void splitsTheTextIntoTurnsKeepingContentAsWritten() {
        Dataset d = Fixtures.load("guanaco.jsonl", "guanaco");
        assertEquals(List.of(at("guanaco.jsonl", 1), at("guanaco.jsonl", 2)), Fixtures.locations(d));
        assertEquals(Conversation.of(
                Message.user("Can you write a short introduction about the relevance of the term \"monopsony\" in economics?"),
                Message.assistant("\"Monopsony\" refers to a market structure where there is only one buyer."),
                Message.user("Give an example."),
                Message.assistant("A town with a single large employer.")),
                ((ChatExample) d.examples().get(0)).conversation());
    }

    @Test
    void textBeforeTheFirstTurnIsTheSystemTurn() {
        Dataset d = Fixtures.load("guanaco.jsonl", "guanaco");
        assertEquals(Conversation.of(
                Message.system("A chat between a curious human and an artificial intelligence assistant."),
                Message.user("What is 2+2?"), Message.assistant("4")),
                ((ChatExample) d.examples().get(1)).conversation());
    }

    @Test
    void reportsTextWithoutTurnsWithoutReplyOrOfTheWrongType() {
        LoadReport r = Fixtures.load("guanaco.jsonl", "guanaco").report();
        assertEquals(new LoadReport.Skipped(1, 3, "\"text\" has no \"### Human:\" turn"),
                r.skipped().get(ProblemKind.MALFORMED_TEXT));
        assertEquals(new LoadReport.Skipped(2, 4, "no \"### Assistant:\" reply"), r.skipped().get(ProblemKind.EMPTY_OUTPUT));
        assertEquals(new LoadReport.Skipped(1, 5, "\"text\" must be a string, not a number"),
                r.skipped().get(ProblemKind.WRONG_TYPE));
        assertEquals(4, r.skippedCount());
    }

    @Test
    void anEmptyReplyIsNothingToTrainOn() {
        RecordProblem p = assertThrows(RecordProblem.class, () -> GuanacoRecords.parse("### Human: Hi### Assistant: "));
        assertEquals(ProblemKind.EMPTY_OUTPUT, p.kind());
        assertEquals("\"### Assistant:\" reply 1 is empty", p.getMessage());
    }

    @Test
    void theDemoNotebooksNewlinesStayInTheTurns() throws RecordProblem {
        assertEquals(List.of(Message.user("Hi\n"), Message.assistant("Hello!\n")),
                GuanacoRecords.parse("### Human: Hi\n### Assistant: Hello!\n"));
    }
}
