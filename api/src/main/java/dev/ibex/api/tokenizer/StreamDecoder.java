package dev.ibex.api.tokenizer;

import java.util.Arrays;

/**
 * Decodes ids that arrive one at a time (generation) into text pieces whose concatenation equals decoding all the ids
 * at once. A piece never ends in half a character: byte-level pieces are held back until their character is complete,
 * and byte tokens ({@code <0xE2>}) until a token that is not a byte ends their run, because the ByteFallback decoder
 * turns a whole run into U+FFFD when any byte of it is invalid (so an emoji's text comes with the token after it). Spaces are never lost: "▁world" after "Hello" comes out as " world", because each
 * step decodes a short window that still holds the previous token, so the decoder's strip of the text's first space
 * applies to the window's start, not to the new token.
 *
 * <p>This is the Rust library's {@code DecodeStream} algorithm (decode the window, emit what lies beyond the previous
 * window's text, slide the window once the text ends cleanly) with that one addition, without which a model that
 * samples a valid byte and then an invalid one would make the stream contradict text it already emitted. transformers' {@code clean_up_tokenization_spaces}
 * is not applied, since removing a space before a later "." cannot be done to text already handed out. One instance
 * per sequence; not thread-safe.
 */
public final class StreamDecoder {
    private final HfTokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private int[] window = new int[8];
    private int size;
    /** The text of {@code window[0, prefixLength)}, already emitted. */
    private String prefix = "";
    private int prefixLength;

    StreamDecoder(HfTokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /**
     * Takes the next id and returns the text it completes: often the token's text, empty when the id ends inside a
     * character (or decodes to nothing), and more than one token's text when it completes held-back bytes.
     */
    public String next(int id) {
        if (prefix.isEmpty() && size > 0) {
            // The window's text was empty or incomplete before; take it as the prefix once it is clean.
            String text = decode();
            if (!text.endsWith(Decoder.REPLACEMENT) && !tokenizer.endsInOpenByteRun(window, size, skipSpecialTokens)) {
                prefix = text;
                prefixLength = size;
            }
        }
        if (size == window.length) {
            window = Arrays.copyOf(window, size * 2);
        }
        window[size++] = id;
        String text = decode();
        if (text.length() <= prefix.length() || text.endsWith(Decoder.REPLACEMENT)
                || tokenizer.endsInOpenByteRun(window, size, skipSpecialTokens)) {
            return "";
        }
        if (!text.startsWith(prefix)) {
            throw new IllegalStateException("decoding id " + id + " changed text already emitted: '" + prefix
                    + "' became '" + text + "'");
        }
        String piece = text.substring(prefix.length());
        // Slide: keep the ids after the old prefix; they are the context for the next step.
        int kept = size - prefixLength;
        System.arraycopy(window, prefixLength, window, 0, kept);
        size = kept;
        prefix = decode();
        prefixLength = size;
        return piece;
    }

    /**
     * Returns whatever is still held back, such as bytes of a character the stream ended inside of (shown as U+FFFD,
     * as a full decode would), and starts over.
     */
    public String finish() {
        String text = decode();
        int common = 0;
        while (common < prefix.length() && common < text.length() && prefix.charAt(common) == text.charAt(common)) {
            common++;
        }
        String rest = common == prefix.length() ? text.substring(common) : "";
        size = 0;
        prefix = "";
        prefixLength = 0;
        return rest;
    }

    private String decode() {
        return tokenizer.decodeRaw(window, 0, size, skipSpecialTokens);
    }
}
