package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.MemorySegment;

/**
 * A CPU tensor: a plain native segment of little-endian elements.
 *
 * @param dtype element type
 * @param shape shape
 * @param data  exactly {@code numel · dtype.byteSize()} bytes
 */
record CpuTensor(DType dtype, Shape shape, MemorySegment data) implements Tensor {

    static CpuTensor of(Tensor t) {
        if (t instanceof CpuTensor c) {
            return c;
        }
        throw new IllegalArgumentException("not a CPU tensor: " + t + " (tensors cannot move between backends)");
    }

    /** The F32 tensor {@code t}, failing clearly on another dtype. */
    static CpuTensor f32(Tensor t, String what) {
        CpuTensor c = of(t);
        if (c.dtype != DType.F32) {
            throw new IllegalArgumentException(what + " must be F32, got " + c.dtype + " " + c.shape);
        }
        return c;
    }

    int rows() {
        return Math.toIntExact(shape.rows());
    }

    int cols() {
        return Math.toIntExact(shape.cols());
    }

    @Override
    public String toString() {
        return "CpuTensor[" + dtype + " " + shape + "]";
    }
}
