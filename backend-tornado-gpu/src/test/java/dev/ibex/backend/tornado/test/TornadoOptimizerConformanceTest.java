package dev.ibex.backend.tornado.test;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.conformance.OptimizerConformance;

/** The tornado backend on TornadoVM's default device against the conformance kit's optimizer reference. */
class TornadoOptimizerConformanceTest extends OptimizerConformance {
    @Override
    protected Backend backendUnderTest() {
        return TornadoTestBackend.create();
    }
}
