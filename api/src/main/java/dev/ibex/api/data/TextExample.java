package dev.ibex.api.data;

import java.util.Objects;

/**
 * A piece of plain text for language-model training (pretraining, continued pretraining): the trainer tokenizes it,
 * ends it with EOS, and packs consecutive texts into blocks of {@code sequence_len} tokens, training on every token.
 *
 * @param text     the text
 * @param location {@code file:line}
 */
public record TextExample(String text, String location) implements Example {
    public TextExample {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(location, "location");
    }
}
