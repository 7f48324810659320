package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.*;

/** SCAFFOLD: kernels of this family are being written. */
final class CpuOptimizer {
    private final WorkerPool pool;

    CpuOptimizer(WorkerPool pool) {
        this.pool = pool;
    }

    void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    double sumOfSquares(Tensor x) {
        throw new UnsupportedOperationException("TODO kernel");
    }
}
