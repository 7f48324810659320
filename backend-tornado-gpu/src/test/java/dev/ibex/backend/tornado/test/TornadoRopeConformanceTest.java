package dev.ibex.backend.tornado.test;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.conformance.RopeConformance;

/** The tornado backend on TornadoVM's default device against the conformance kit's rope reference. */
class TornadoRopeConformanceTest extends RopeConformance {
    @Override
    protected Backend backendUnderTest() {
        return TornadoTestBackend.create();
    }
}
