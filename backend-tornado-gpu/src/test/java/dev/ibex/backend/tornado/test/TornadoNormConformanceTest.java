package dev.ibex.backend.tornado.test;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.conformance.NormConformance;

/** The tornado backend on TornadoVM's default device against the conformance kit's norm reference. */
class TornadoNormConformanceTest extends NormConformance {
    @Override
    protected Backend backendUnderTest() {
        return TornadoTestBackend.create();
    }
}
