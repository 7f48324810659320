package dev.ibex.api.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.spi.chat.Conversation;
import dev.ibex.spi.chat.Message;
import dev.ibex.spi.chat.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * timdettmers/openassistant-guanaco records: one {@code text} field holding {@code ### Human: {q}### Assistant: {a}}
 * turns. Each marker's text runs to the next marker, less the one space after the marker's colon, and is otherwise
 * kept as written, so the guanaco template renders the same text back. Text before the first marker becomes a
 * system turn (trimmed).
 */
final class GuanacoRecords implements RecordReader {
    static final String HUMAN = "### Human:";
    static final String ASSISTANT = "### Assistant:";

    @Override
    public Example read(JsonNode record, String location) throws RecordProblem {
        return new ChatExample(new Conversation(parse(Fields.string(record, "text")), ""), location);
    }

    static List<Message> parse(String text) throws RecordProblem {
        int at = nextMarker(text, 0);
        if (at < 0) {
            throw new RecordProblem(ProblemKind.MALFORMED_TEXT, "\"text\" has no \"" + HUMAN + "\" turn");
        }
        List<Message> turns = new ArrayList<>();
        String preamble = text.substring(0, at).strip();
        if (!preamble.isEmpty()) {
            turns.add(Message.system(preamble));
        }
        while (at >= 0) {
            boolean human = text.startsWith(HUMAN, at);
            int start = at + (human ? HUMAN : ASSISTANT).length();
            if (start < text.length() && text.charAt(start) == ' ') {
                start++;
            }
            int next = nextMarker(text, start);
            String content = text.substring(start, next < 0 ? text.length() : next);
            turns.add(human ? Message.user(content) : Message.assistant(content));
            at = next;
        }
        if (turns.stream().noneMatch(m -> m.role() == Role.USER)) {
            throw new RecordProblem(ProblemKind.MALFORMED_TEXT, "\"text\" has no \"" + HUMAN + "\" turn");
        }
        Replies.check(turns, "\"" + ASSISTANT + "\" reply");
        return turns;
    }

    private static int nextMarker(String text, int from) {
        int human = text.indexOf(HUMAN, from);
        int assistant = text.indexOf(ASSISTANT, from);
        return human < 0 ? assistant : assistant < 0 ? human : Math.min(human, assistant);
    }
}
