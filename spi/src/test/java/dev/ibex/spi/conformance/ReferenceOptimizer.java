package dev.ibex.spi.conformance;

import dev.ibex.spi.backend.*;

/** SCAFFOLD: reference kernels of this family are being written. */
final class ReferenceOptimizer {
    private ReferenceOptimizer() {
    }

    static void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static double sumOfSquares(Tensor x) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }
}
