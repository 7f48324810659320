package dev.ibex.backend.tornado;

import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;

/**
 * A tensor on the device: a shape over a {@link Block} of the heap for its dtype (F32 and I32 in their own heaps,
 * F16 and BF16 as raw 16-bit patterns in the 16-bit heap, and there too, as I16, the packed bytes of quantized
 * weights, two per element: see {@link DeviceQuantTensor}). Reshaped views share the block.
 *
 * @param dtype element type
 * @param shape shape; {@code numel} equals the block's length
 * @param block storage
 */
record DeviceTensor(DType dtype, Shape shape, Block block) implements Tensor {

    /** The element offset in its heap; fails for a tensor whose allocation scope has closed. */
    int offset() {
        if (block.released()) {
            throw new IllegalStateException("tensor " + dtype + " " + shape
                    + " belongs to an allocation scope that has been closed");
        }
        return block.offset;
    }

    int rows() {
        return Math.toIntExact(shape.rows());
    }

    int cols() {
        return Math.toIntExact(shape.cols());
    }

    int count() {
        return Math.toIntExact(shape.numel());
    }

    /** The kernel code of a weight operand's element type. */
    int weightType() {
        return switch (dtype) {
            case F32 -> KernelMath.T_F32;
            case F16 -> KernelMath.T_F16;
            case BF16 -> KernelMath.T_BF16;
            default -> throw new IllegalArgumentException("a weight must be F32, F16 or BF16, got " + dtype + " " + shape);
        };
    }

    @Override
    public String toString() {
        return "DeviceTensor[" + dtype + " " + shape + "]";
    }
}
