package dev.ibex.spi.conformance;

import dev.ibex.spi.backend.*;

/** SCAFFOLD: reference kernels of this family are being written. */
final class ReferenceAttention {
    private ReferenceAttention() {
    }

    static void attention(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec spec, Tensor out, Tensor lse) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec spec, Tensor out, Tensor lse, Tensor dout, Tensor dq, Tensor dk, Tensor dv) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }
}
