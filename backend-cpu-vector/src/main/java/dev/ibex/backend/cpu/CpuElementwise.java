package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.*;

/** SCAFFOLD: kernels of this family are being written. */
final class CpuElementwise {
    private final WorkerPool pool;

    CpuElementwise(WorkerPool pool) {
        this.pool = pool;
    }

    void add(Tensor a, Tensor b, Tensor out) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void mul(Tensor a, Tensor b, Tensor out) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void scale(Tensor x, float alpha, Tensor out) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void axpy(float alpha, Tensor x, Tensor y) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void activation(Activation f, Tensor x, Tensor out) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void activationBackward(Activation f, Tensor x, Tensor dy, Tensor dx) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void swiglu(Tensor gate, Tensor up, Tensor out) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void swigluBackward(Tensor gate, Tensor up, Tensor dy, Tensor dgate, Tensor dup) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void copyColumns(Tensor src, int srcCol, Tensor dst, int dstCol, int count, boolean accumulate) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void dropout(Tensor x, float p, long seed, Tensor out) {
        throw new UnsupportedOperationException("TODO kernel");
    }
}
