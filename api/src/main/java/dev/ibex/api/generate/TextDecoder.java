package dev.ibex.api.generate;

/**
 * Turns generated token ids into text incrementally: each call returns the new text the token completes (never
 * half a character). One instance per sequence.
 */
@FunctionalInterface
public interface TextDecoder {
    String append(int token);
}
