package dev.ibex.spi.chat;

import java.util.List;

/**
 * A conversation: an optional system turn, then user and assistant turns. An Alpaca record is a conversation
 * whose user turn carries an {@code input} beside its instruction.
 *
 * @param messages the turns in order
 * @param input    Alpaca's {@code input} field for the (single) user turn, or an empty string
 */
public record Conversation(List<Message> messages, String input) {
    public Conversation {
        messages = List.copyOf(messages);
        input = input == null ? "" : input;
    }

    public static Conversation of(Message... messages) {
        return new Conversation(List.of(messages), "");
    }

    /** An Alpaca record: instruction, optional input, and output (null or empty for a prompt). */
    public static Conversation alpaca(String instruction, String input, String output) {
        return output == null || output.isEmpty()
                ? new Conversation(List.of(Message.user(instruction)), input)
                : new Conversation(List.of(Message.user(instruction), Message.assistant(output)), input);
    }
}
