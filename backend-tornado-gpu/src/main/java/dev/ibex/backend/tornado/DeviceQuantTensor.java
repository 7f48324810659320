package dev.ibex.backend.tornado;

import dev.ibex.spi.backend.QuantTensor;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;

/**
 * A quantized weight for the tornado backend. It stays in host memory: the backend has no device kernel for any
 * quantized format yet, so its products run through the format's reference product on the host (see
 * {@link DeviceMatmul}).
 */
record DeviceQuantTensor(QuantizedTensor source) implements QuantTensor {
    @Override
    public DType dtype() {
        return DType.U8;
    }

    @Override
    public Shape shape() {
        return source.shape();
    }
}
