package dev.ibex.spi.chat;

/**
 * A training example: token ids and labels of the same length, {@code -100} where the loss ignores a position.
 * Labels are not shifted: the model's loss predicts {@code labels[t + 1]} from position {@code t}.
 */
public record EncodedExample(int[] inputIds, int[] labels) {
    public static final int IGNORE = -100;

    public EncodedExample {
        if (inputIds.length != labels.length) {
            throw new IllegalArgumentException("ids and labels differ in length: " + inputIds.length + " vs " + labels.length);
        }
    }
}
