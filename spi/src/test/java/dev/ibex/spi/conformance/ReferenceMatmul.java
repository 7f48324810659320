package dev.ibex.spi.conformance;

import dev.ibex.spi.backend.*;

/** SCAFFOLD: reference kernels of this family are being written. */
final class ReferenceMatmul {
    private ReferenceMatmul() {
    }

    static void linear(Tensor x, Tensor w, Tensor bias, Tensor y, boolean accumulate) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void linearBackwardInput(Tensor dy, Tensor w, Tensor dx) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void linearBackwardWeight(Tensor dy, Tensor x, Tensor dw) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void sumRows(Tensor x, Tensor out) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }
}
