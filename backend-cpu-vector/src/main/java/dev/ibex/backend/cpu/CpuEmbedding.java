package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.*;

/** SCAFFOLD: kernels of this family are being written. */
final class CpuEmbedding {
    private final WorkerPool pool;

    CpuEmbedding(WorkerPool pool) {
        this.pool = pool;
    }

    void embedding(Tensor ids, Tensor table, Tensor out) {
        throw new UnsupportedOperationException("TODO kernel");
    }

    void embeddingBackward(Tensor ids, Tensor dout, Tensor dtable) {
        throw new UnsupportedOperationException("TODO kernel");
    }
}
