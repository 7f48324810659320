package dev.ibex.backend.tornado.test;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.conformance.EmbeddingConformance;

/** The tornado backend on TornadoVM's default device against the conformance kit's embedding reference. */
class TornadoEmbeddingConformanceTest extends EmbeddingConformance {
    @Override
    protected Backend backendUnderTest() {
        return TornadoTestBackend.create();
    }
}
