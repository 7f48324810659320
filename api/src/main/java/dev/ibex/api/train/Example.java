package dev.ibex.api.train;

/**
 * One training example: token ids, labels ({@code -100} = not trained; not shifted) and the attention mask
 * (1 = real token).
 */
public record Example(int[] inputIds, int[] labels, int[] attentionMask) {
    public static final int IGNORE = -100;

    public Example {
        if (inputIds.length == 0) {
            throw new IllegalArgumentException("an example needs at least one token");
        }
        if (labels.length != inputIds.length || attentionMask.length != inputIds.length) {
            throw new IllegalArgumentException("input_ids, labels and attention_mask differ in length: "
                    + inputIds.length + ", " + labels.length + ", " + attentionMask.length);
        }
    }

    /** An example trained on every token. */
    public static Example of(int[] ids, int[] labels) {
        int[] mask = new int[ids.length];
        java.util.Arrays.fill(mask, 1);
        return new Example(ids, labels, mask);
    }

    /** Positions whose label counts toward the loss once shifted (the first label never does). */
    public int trainedTokens() {
        int n = 0;
        for (int i = 1; i < labels.length; i++) {
            if (labels[i] != IGNORE) {
                n++;
            }
        }
        return n;
    }
}
