package dev.ibex.spi.conformance;

import dev.ibex.spi.backend.*;

/** SCAFFOLD: reference kernels of this family are being written. */
final class ReferenceNorms {
    private ReferenceNorms() {
    }

    static void rmsNorm(Tensor x, Tensor weight, float eps, Tensor y, Tensor rstd) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void rmsNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor rstd, Tensor dx, Tensor dweight) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y, Tensor mean, Tensor rstd) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void layerNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor mean, Tensor rstd, Tensor dx, Tensor dweight, Tensor dbias) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }
}
