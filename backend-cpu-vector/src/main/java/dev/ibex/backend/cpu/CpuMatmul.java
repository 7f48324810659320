package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.*;

/** SCAFFOLD: kernels of this family are being written. */
final class CpuMatmul {
    private final WorkerPool pool;

    CpuMatmul(WorkerPool pool) {
        this.pool = pool;
    }

    void linear(Tensor x, Tensor w, Tensor bias, Tensor y, boolean accumulate) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void linearBackwardInput(Tensor dy, Tensor w, Tensor dx) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void linearBackwardWeight(Tensor dy, Tensor x, Tensor dw) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void sumRows(Tensor x, Tensor out) {
        throw new UnsupportedOperationException("TODO kernel");
    }
}
