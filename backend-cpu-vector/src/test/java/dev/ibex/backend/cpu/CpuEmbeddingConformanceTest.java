package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.conformance.EmbeddingConformance;

/** The CPU backend's embedding lookups against the conformance kit's reference. */
class CpuEmbeddingConformanceTest extends EmbeddingConformance {
    @Override
    protected Backend backendUnderTest() {
        return new CpuBackendProvider().create(BackendOptions.defaults());
    }
}
