package dev.ibex.backend.tornado.test;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.conformance.MatmulConformance;
import org.junit.jupiter.api.AfterAll;

/**
 * The tornado backend's matrix products against the conformance kit's reference: every shape, F32/F16/BF16
 * weights, large and long products, special values, and the host fallback for a quantized format it does not know.
 * The kit asks for the backend once per test and never closes it: one backend serves the class.
 */
class TornadoMatmulConformanceTest extends MatmulConformance {
    private static Backend backend;

    @Override
    protected Backend backendUnderTest() {
        if (backend == null) {
            backend = TornadoTestBackend.create();
        }
        return backend;
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }
}
