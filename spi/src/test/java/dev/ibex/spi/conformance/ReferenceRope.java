package dev.ibex.spi.conformance;

import dev.ibex.spi.backend.*;

/** SCAFFOLD: reference kernels of this family are being written. */
final class ReferenceRope {
    private ReferenceRope() {
    }

    static void rope(Tensor x, Tensor positions, RopeSpec spec, Tensor out, boolean inverse, boolean accumulate) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }
}
