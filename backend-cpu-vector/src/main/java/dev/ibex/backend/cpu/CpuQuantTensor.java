package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.QuantTensor;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;

/**
 * A quantized weight on the CPU: the host tensor itself (its buffers are already native memory) and, for the
 * layouts the CPU kernels know, the view they read it through.
 *
 * @param source the quantized weight
 * @param rows   its storage for the fused kernels, or null when the format has none here (reference product)
 */
record CpuQuantTensor(QuantizedTensor source, QuantRows rows) implements QuantTensor {

    static CpuQuantTensor of(QuantizedTensor weight) {
        return new CpuQuantTensor(weight, QuantRows.of(weight));
    }

    @Override
    public DType dtype() {
        return DType.U8;
    }

    @Override
    public Shape shape() {
        return source.shape();
    }
}
