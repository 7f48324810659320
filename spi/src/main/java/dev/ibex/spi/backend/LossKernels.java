package dev.ibex.spi.backend;

/** The language-model loss. */
public interface LossKernels {

    /**
     * Cross-entropy of each row of {@code logits} ({@code [M, V]}) against {@code labels} (I32 {@code [M]}); rows
     * whose label is {@code ignoreIndex} do not count. When {@code dlogits} is non-null, adds
     * {@code gradScale·(softmax(row) - onehot(label))} into it for every counted row. A label outside {@code [0, V)}
     * that is not {@code ignoreIndex} throws {@link IndexOutOfBoundsException}.
     *
     * @return the sum of the counted rows' losses (the caller divides by the count it knows from the labels)
     */
    double crossEntropy(Tensor logits, Tensor labels, int ignoreIndex, Tensor dlogits, float gradScale);
}
