package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.*;

/** SCAFFOLD: kernels of this family are being written. */
final class CpuRope {
    private final WorkerPool pool;

    CpuRope(WorkerPool pool) {
        this.pool = pool;
    }

    void rope(Tensor x, Tensor positions, RopeSpec spec, Tensor out, boolean inverse, boolean accumulate) {
        throw new UnsupportedOperationException("TODO kernel");
    }
}
