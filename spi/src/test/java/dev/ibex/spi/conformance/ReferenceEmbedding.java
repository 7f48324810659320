package dev.ibex.spi.conformance;

import dev.ibex.spi.backend.*;

/** SCAFFOLD: reference kernels of this family are being written. */
final class ReferenceEmbedding {
    private ReferenceEmbedding() {
    }

    static void embedding(Tensor ids, Tensor table, Tensor out) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void embeddingBackward(Tensor ids, Tensor dout, Tensor dtable) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }
}
