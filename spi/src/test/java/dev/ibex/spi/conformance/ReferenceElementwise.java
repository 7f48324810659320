package dev.ibex.spi.conformance;

import dev.ibex.spi.backend.*;

/** SCAFFOLD: reference kernels of this family are being written. */
final class ReferenceElementwise {
    private ReferenceElementwise() {
    }

    static void add(Tensor a, Tensor b, Tensor out) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void mul(Tensor a, Tensor b, Tensor out) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void scale(Tensor x, float alpha, Tensor out) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void axpy(float alpha, Tensor x, Tensor y) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void activation(Activation f, Tensor x, Tensor out) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void activationBackward(Activation f, Tensor x, Tensor dy, Tensor dx) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void swiglu(Tensor gate, Tensor up, Tensor out) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void swigluBackward(Tensor gate, Tensor up, Tensor dy, Tensor dgate, Tensor dup) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void copyColumns(Tensor src, int srcCol, Tensor dst, int dstCol, int count, boolean accumulate) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }

    static void dropout(Tensor x, float p, long seed, Tensor out) {
        throw new UnsupportedOperationException("TODO reference kernel");
    }
}
