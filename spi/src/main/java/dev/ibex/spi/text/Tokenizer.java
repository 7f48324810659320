package dev.ibex.spi.text;

import java.util.OptionalInt;

/** Text to token ids and back, with the model's special tokens. */
public interface Tokenizer {

    /**
     * Encodes {@code text}. Added and special tokens written literally in the text ({@code "<s>"},
     * {@code "<|im_start|>"}) are matched first; with {@code addSpecialTokens} the BOS/EOS the model's config asks
     * for are added (LLaMA: BOS; GPT-2: none).
     */
    int[] encode(String text, boolean addSpecialTokens);

    /** Decodes ids to text, leaving out special tokens when {@code skipSpecialTokens}. */
    String decode(int[] ids, boolean skipSpecialTokens);

    /** Number of ids (the base vocabulary plus added tokens). */
    int vocabSize();

    /** The id of a token string ({@code "</s>"}, {@code "▁Hello"}), if present. */
    OptionalInt tokenId(String token);

    /** The token string of an id. */
    String token(int id);

    /** Whether {@code id} is a special (control) token. */
    boolean isSpecial(int id);

    OptionalInt bosId();

    OptionalInt eosId();

    OptionalInt padId();
}
