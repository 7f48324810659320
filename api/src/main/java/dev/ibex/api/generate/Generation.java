package dev.ibex.api.generate;

import java.util.List;

/**
 * The outcome of generating for a batch of prompts.
 *
 * @param tokens  the new token ids of each sequence (EOS included when it ended there)
 * @param texts   the new text of each sequence (stop strings removed), or nulls without a text decoder
 * @param reasons why each sequence ended
 */
public record Generation(List<int[]> tokens, List<String> texts, List<FinishReason> reasons) {

    /** Why a sequence stopped. */
    public enum FinishReason {
        /** It produced an end-of-sequence token. */
        EOS,
        /** Its text reached a stop string. */
        STOP_STRING,
        /** It produced max_new_tokens tokens. */
        MAX_TOKENS,
        /** The context (KV cache) is full. */
        CONTEXT
    }
}
