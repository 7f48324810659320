package dev.ibex.spi.chat;

import dev.ibex.spi.text.Tokenizer;
import java.util.List;

/** A prompt format: how conversations are rendered for inference and encoded for training. */
public interface ChatTemplate {

    /** The template's name ({@code "alpaca"}). */
    String name();

    /**
     * Renders a conversation as text segments in order. With {@code generationPrompt}, ends with the text that
     * opens the next assistant turn (and the conversation must end with a user turn).
     */
    List<Segment> render(Conversation conversation, boolean generationPrompt);

    /** The prompt text for the model's next assistant turn. */
    default String prompt(Conversation conversation) {
        StringBuilder sb = new StringBuilder();
        for (Segment s : render(conversation, true)) {
            sb.append(s.text());
        }
        return sb.toString();
    }

    /**
     * Whether a conversation may hold several user turns (Guanaco, ChatML). Alpaca takes one instruction and at
     * most one reply, so a chat with it sends each instruction on its own.
     */
    default boolean multiTurn() {
        return true;
    }

    /** Strings that end an assistant turn when the model writes them. */
    List<String> stopStrings();

    /** The assistant's reply within generated text (after the prompt), cut at the first stop string and trimmed. */
    default String extractReply(String generated) {
        int cut = generated.length();
        for (String stop : stopStrings()) {
            int at = generated.indexOf(stop);
            if (at >= 0 && at < cut) {
                cut = at;
            }
        }
        return generated.substring(0, cut).strip();
    }

    /**
     * Encodes a conversation for training: ids and labels, prompt positions masked with -100 unless
     * {@code trainOnInputs}, the EOS appended and trained where the template calls for it, cut to
     * {@code maxLength} tokens.
     */
    EncodedExample encode(Conversation conversation, Tokenizer tokenizer, boolean trainOnInputs, int maxLength);
}
