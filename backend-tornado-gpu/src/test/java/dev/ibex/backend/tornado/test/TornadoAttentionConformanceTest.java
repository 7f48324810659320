package dev.ibex.backend.tornado.test;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.conformance.AttentionConformance;

/** The tornado backend on TornadoVM's default device against the conformance kit's attention reference. */
class TornadoAttentionConformanceTest extends AttentionConformance {
    @Override
    protected Backend backendUnderTest() {
        return TornadoTestBackend.create();
    }
}
