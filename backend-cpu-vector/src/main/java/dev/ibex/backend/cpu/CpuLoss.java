package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.*;

/** SCAFFOLD: kernels of this family are being written. */
final class CpuLoss {
    private final WorkerPool pool;

    CpuLoss(WorkerPool pool) {
        this.pool = pool;
    }

    double crossEntropy(Tensor logits, Tensor labels, int ignoreIndex, Tensor dlogits, float gradScale) {
        throw new UnsupportedOperationException("TODO kernel");
    }
}
