package dev.ibex.api.generate;

/** Receives generated tokens as they are picked (streaming). */
@FunctionalInterface
public interface TokenListener {
    /**
     * Called once per new token of sequence {@code sequence}.
     *
     * @param token the token id, or -1 for held-back text released when the sequence ends
     * @param text  the text this token completes, as a streaming decoder yields it (possibly empty), or null when
     *              the generator has no tokenizer
     */
    void onToken(int sequence, int token, String text);
}
