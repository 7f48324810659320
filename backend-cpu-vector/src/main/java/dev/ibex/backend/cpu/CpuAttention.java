package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.*;

/** SCAFFOLD: kernels of this family are being written. */
final class CpuAttention {
    private final WorkerPool pool;

    CpuAttention(WorkerPool pool) {
        this.pool = pool;
    }

    void attention(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec spec, Tensor out, Tensor lse) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec spec, Tensor out, Tensor lse, Tensor dout, Tensor dq, Tensor dk, Tensor dv) {
        throw new UnsupportedOperationException("TODO kernel");
    }
}
