package dev.ibex.backend.tornado.test;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.conformance.MemoryConformance;

/** The tornado backend on TornadoVM's default device against the conformance kit's memory reference. */
class TornadoMemoryConformanceTest extends MemoryConformance {
    @Override
    protected Backend backendUnderTest() {
        return TornadoTestBackend.create();
    }
}
