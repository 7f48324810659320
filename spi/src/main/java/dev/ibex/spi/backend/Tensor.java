package dev.ibex.spi.backend;

import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;

/**
 * A tensor owned by a backend, resident on its device. Only the backend that made it may read or write it;
 * the host sees its contents through {@link Backend#toFloats} and friends.
 *
 * <p>Dense tensors have dtype F32 (activations, gradients, trainable parameters), F16/BF16 (frozen weights as
 * stored) or I32 (token ids, positions, labels). Quantized weights are {@link QuantTensor}s.
 */
public interface Tensor {
    DType dtype();

    Shape shape();

    default long numel() {
        return shape().numel();
    }
}
