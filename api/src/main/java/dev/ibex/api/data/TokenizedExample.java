package dev.ibex.api.data;

import dev.ibex.spi.chat.EncodedExample;
import java.util.Objects;

/**
 * A pre-tokenized record: ids, labels and attention mask of equal length, already checked by the reader.
 *
 * @param inputIds      token ids, all non-negative
 * @param labels        the ids to predict, or {@code -100} where the loss ignores a position; when the file had no
 *                      labels, a copy of the ids with {@code -100} where the attention mask is 0
 * @param attentionMask 1 for real tokens, 0 for padding; all ones when the file had none
 * @param location      {@code file:line}
 */
public record TokenizedExample(int[] inputIds, int[] labels, int[] attentionMask, String location) implements Example {
    public TokenizedExample {
        Objects.requireNonNull(location, "location");
        if (inputIds.length != labels.length || inputIds.length != attentionMask.length) {
            throw new IllegalArgumentException(location + ": input_ids, labels and attention_mask differ in length: "
                    + inputIds.length + ", " + labels.length + ", " + attentionMask.length);
        }
    }

    /** The ids and labels as a template would have encoded them. */
    public EncodedExample toEncoded() {
        return new EncodedExample(inputIds, labels);
    }
}
