package dev.ibex.backend.tornado;

import dev.ibex.spi.backend.ComposedBackend;
import dev.ibex.spi.backend.DeviceInfo;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;

/**
 * The TornadoVM backend: device memory from {@link DeviceMemory}, kernels from one class per family, all launched
 * through one {@link Device}.
 */
final class TornadoBackend extends ComposedBackend {
    private final Device device;
    private final DeviceInfo info;
    private final DeviceMemory memory;

    TornadoBackend(Device device, DeviceInfo info) {
        this(device, info, new DeviceMemory(device));
    }

    private TornadoBackend(Device device, DeviceInfo info, DeviceMemory memory) {
        super(memory, new DeviceMatmul(device, memory), new DeviceElementwise(device), new DeviceNorms(device),
                new DeviceRope(device, memory), new DeviceAttention(device, memory), new DeviceEmbedding(device, memory),
                new DeviceLoss(device, memory), new DeviceOptimizer(device, memory));
        this.device = device;
        this.info = info;
        this.memory = memory;
        device.start();
    }

    /** {@code t} as a tensor of a tornado backend. */
    static DeviceTensor of(Tensor t) {
        if (t instanceof DeviceTensor d) {
            if (d.block().heap.closed()) {
                throw new IllegalStateException(d + " belongs to a tornado backend that has been closed");
            }
            return d;
        }
        if (t instanceof DeviceQuantTensor) {
            throw new IllegalArgumentException("a quantized weight can only be the weight operand of a matmul");
        }
        throw new IllegalArgumentException("not a tornado tensor: " + t + " (tensors cannot move between backends)");
    }

    /** The F32 tensor {@code t}, failing clearly on another dtype. */
    static DeviceTensor f32(Tensor t, String what) {
        DeviceTensor d = of(t);
        if (d.dtype() != DType.F32) {
            throw new IllegalArgumentException(what + " must be F32, got " + d.dtype() + " " + d.shape());
        }
        return d;
    }

    @Override
    public String name() {
        return "tornado";
    }

    @Override
    public DeviceInfo device() {
        return info;
    }

    @Override
    public void close() {
        memory.close();
        device.close();
    }
}
