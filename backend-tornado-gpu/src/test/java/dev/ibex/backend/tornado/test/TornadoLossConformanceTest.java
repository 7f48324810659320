package dev.ibex.backend.tornado.test;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.conformance.LossConformance;

/** The tornado backend on TornadoVM's default device against the conformance kit's loss reference. */
class TornadoLossConformanceTest extends LossConformance {
    @Override
    protected Backend backendUnderTest() {
        return TornadoTestBackend.create();
    }
}
