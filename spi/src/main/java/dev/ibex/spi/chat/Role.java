package dev.ibex.spi.chat;

import java.util.Locale;
import java.util.Optional;

/** Who speaks a turn. */
public enum Role {
    SYSTEM, USER, ASSISTANT;

    /** The lower-case name used in ChatML and JSON datasets ({@code "assistant"}). */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code system}/{@code user}/{@code assistant} and the common aliases ({@code human}, {@code gpt}). */
    public static Optional<Role> parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "system" -> Optional.of(SYSTEM);
            case "user", "human", "prompter" -> Optional.of(USER);
            case "assistant", "gpt", "bot", "model" -> Optional.of(ASSISTANT);
            default -> Optional.empty();
        };
    }
}
