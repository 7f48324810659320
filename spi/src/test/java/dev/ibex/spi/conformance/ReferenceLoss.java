package dev.ibex.spi.conformance;

import static dev.ibex.spi.conformance.ReferenceBackend.floats;
import static dev.ibex.spi.conformance.ReferenceBackend.ints;
import static dev.ibex.spi.conformance.ReferenceBackend.store;

import dev.ibex.spi.backend.LossKernels;
import dev.ibex.spi.backend.Tensor;

/**
 * Cross-entropy per row, in double: {@code loss = logSumExp(row) − row[label]}, and its gradient
 * {@code gradScale·(softmax(row) − onehot(label))} added into {@code dlogits}.
 */
final class ReferenceLoss implements LossKernels {

    @Override
    public double crossEntropy(Tensor logits, Tensor labels, int ignoreIndex, Tensor dlogits, float gradScale) {
        int rows = Math.toIntExact(logits.shape().rows());
        int vocab = Math.toIntExact(logits.shape().cols());
        int[] label = ints(labels);
        if (label.length != rows) {
            throw new IllegalArgumentException("crossEntropy: " + label.length + " labels for " + rows + " rows");
        }
        float[] l = floats(logits);
        float[] grad = dlogits != null ? floats(dlogits) : null;
        double total = 0;
        for (int r = 0; r < rows; r++) {
            if (label[r] == ignoreIndex) {
                continue;
            }
            if (label[r] < 0 || label[r] >= vocab) {
                throw new IndexOutOfBoundsException("label " + label[r] + " of row " + r + " is outside [0, "
                        + vocab + ") and is not the ignore index " + ignoreIndex);
            }
            int o = r * vocab;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < vocab; i++) {
                max = Math.max(max, l[o + i]);
            }
            double sum = 0;
            for (int i = 0; i < vocab; i++) {
                sum += Math.exp(l[o + i] - max);
            }
            double lse = max + Math.log(sum);
            total += lse - l[o + label[r]];
            if (grad != null) {
                for (int i = 0; i < vocab; i++) {
                    double p = Math.exp(l[o + i] - lse);
                    grad[o + i] += (float) (gradScale * (p - (i == label[r] ? 1 : 0)));
                }
            }
        }
        if (grad != null) {
            store(dlogits, grad);
        }
        return total;
    }
}
