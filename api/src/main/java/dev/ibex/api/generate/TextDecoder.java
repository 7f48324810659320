package dev.ibex.api.generate;

/**
 * Turns generated token ids into text incrementally: each call returns the new text the token completes (never
 * half a character). One instance per sequence.
 */
public interface TextDecoder {
    String append(int token);

    /** The text still held back when the sequence ends (an incomplete character, say); empty by default. */
    default String finish() {
        return "";
    }
}
