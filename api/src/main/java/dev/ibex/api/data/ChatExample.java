package dev.ibex.api.data;

import dev.ibex.spi.chat.Conversation;
import java.util.Objects;

/**
 * A record that a chat template still has to render and encode.
 *
 * @param conversation the turns (and an Alpaca record's input)
 * @param location     {@code file:line}
 */
public record ChatExample(Conversation conversation, String location) implements Example {
    public ChatExample {
        Objects.requireNonNull(conversation, "conversation");
        Objects.requireNonNull(location, "location");
    }
}
