package dev.ibex.spi.backend;

import dev.ibex.spi.quant.QuantizedTensor;

/**
 * A frozen quantized weight matrix {@code [out, in]} resident on a backend. It can be the right operand of
 * {@link MatmulKernels#linear} and {@link MatmulKernels#linearBackwardInput}; backends run fused
 * dequantize-and-multiply kernels for the formats they know and fall back to
 * {@link QuantizedTensor#referenceLinear} for the others.
 */
public interface QuantTensor extends Tensor {
    /** The host-side quantized weight this tensor was made from. */
    QuantizedTensor source();
}
