package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.*;

/** SCAFFOLD: kernels of this family are being written. */
final class CpuNorms {
    private final WorkerPool pool;

    CpuNorms(WorkerPool pool) {
        this.pool = pool;
    }

    void rmsNorm(Tensor x, Tensor weight, float eps, Tensor y, Tensor rstd) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void rmsNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor rstd, Tensor dx, Tensor dweight) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y, Tensor mean, Tensor rstd) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void layerNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor mean, Tensor rstd, Tensor dx, Tensor dweight, Tensor dbias) {
        throw new UnsupportedOperationException("TODO kernel");
    }
}
