package dev.ibex.spi.conformance;

import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.MemorySegment;

/** A tensor of the reference backend: little-endian bytes in (native) memory. */
record ReferenceTensor(DType dtype, Shape shape, MemorySegment data) implements Tensor {
    static ReferenceTensor of(Tensor t) {
        if (t instanceof ReferenceTensor r) {
            return r;
        }
        throw new IllegalArgumentException("not a reference tensor: " + t);
    }
}
