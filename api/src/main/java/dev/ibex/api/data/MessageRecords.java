package dev.ibex.api.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.spi.chat.Conversation;
import dev.ibex.spi.chat.Message;
import dev.ibex.spi.chat.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Chat records: {@code {"messages": [{"role", "content"}, …]}} (OpenAI / axolotl {@code chat_template}), or ShareGPT's
 * {@code {"conversations": [{"from", "value"}, …]}}. Without options, each record uses {@code messages} if present,
 * else {@code conversations}, and each message {@code role}/{@code content} if present, else {@code from}/{@code value};
 * axolotl's {@code field_messages} and {@code message_property_mappings} fix the names instead. Roles are read with
 * {@link Role#parse}, so {@code human} and {@code gpt} are user and assistant.
 */
final class MessageRecords implements RecordReader {
    private final String messagesField;
    private final String roleField;
    private final String contentField;

    /** Each argument may be null to mean "detect per record". */
    MessageRecords(String messagesField, String roleField, String contentField) {
        this.messagesField = messagesField;
        this.roleField = roleField;
        this.contentField = contentField;
    }

    @Override
    public Example read(JsonNode record, String location) throws RecordProblem {
        String field = messagesField != null ? messagesField : record.has("messages") || !record.has("conversations")
                ? "messages" : "conversations";
        JsonNode list = record.get(field);
        if (list == null) {
            throw new RecordProblem(ProblemKind.MISSING_FIELD, messagesField != null ? "no \"" + field + "\" field"
                    : "no \"messages\" (or ShareGPT \"conversations\") field");
        }
        if (!list.isArray()) {
            throw new RecordProblem(ProblemKind.WRONG_TYPE, "\"" + field + "\" must be an array, not " + Fields.type(list));
        }
        if (list.isEmpty()) {
            throw new RecordProblem(ProblemKind.EMPTY_OUTPUT, "\"" + field + "\" is empty");
        }
        List<Message> turns = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            turns.add(message(list.get(i), i + 1));
        }
        Replies.check(turns, "assistant message");
        return new ChatExample(new Conversation(turns, ""), location);
    }

    private Message message(JsonNode m, int n) throws RecordProblem {
        if (!m.isObject()) {
            throw new RecordProblem(ProblemKind.WRONG_TYPE, "message " + n + " must be an object, not " + Fields.type(m));
        }
        String roleKey = field(m, roleField, "role", "from", n);
        String contentKey = field(m, contentField, "content", "value", n);
        String roleName = Fields.asString(m.get(roleKey), "message " + n + " \"" + roleKey + "\"");
        Optional<Role> role = Role.parse(roleName);
        if (role.isEmpty()) {
            throw new RecordProblem(ProblemKind.UNKNOWN_ROLE, "message " + n + " has unknown role \"" + roleName
                    + "\"; known roles: system, user (human), assistant (gpt)");
        }
        return new Message(role.get(), Fields.asString(m.get(contentKey), "message " + n + " \"" + contentKey + "\""));
    }

    /** The configured field name, or the first of the two usual ones present. */
    private static String field(JsonNode m, String configured, String usual, String shareGpt, int n) throws RecordProblem {
        if (configured != null) {
            if (!m.has(configured)) {
                throw new RecordProblem(ProblemKind.MISSING_FIELD, "message " + n + " has no \"" + configured + "\"");
            }
            return configured;
        }
        if (m.has(usual)) {
            return usual;
        }
        if (m.has(shareGpt)) {
            return shareGpt;
        }
        throw new RecordProblem(ProblemKind.MISSING_FIELD, "message " + n + " has no \"" + usual
                + "\" (or ShareGPT \"" + shareGpt + "\")");
    }
}
