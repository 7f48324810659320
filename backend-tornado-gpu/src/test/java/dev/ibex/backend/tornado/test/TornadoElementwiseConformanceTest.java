package dev.ibex.backend.tornado.test;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.conformance.ElementwiseConformance;

/** The tornado backend on TornadoVM's default device against the conformance kit's elementwise reference. */
class TornadoElementwiseConformanceTest extends ElementwiseConformance {
    @Override
    protected Backend backendUnderTest() {
        return TornadoTestBackend.create();
    }
}
