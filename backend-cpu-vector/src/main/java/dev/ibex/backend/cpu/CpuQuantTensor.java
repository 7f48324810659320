package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.QuantTensor;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;

/** A quantized weight on the CPU: the host tensor itself (its buffers are already native memory). */
record CpuQuantTensor(QuantizedTensor source) implements QuantTensor {
    @Override
    public DType dtype() {
        return DType.U8;
    }

    @Override
    public Shape shape() {
        return source.shape();
    }
}
