package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.conformance.AttentionConformance;

/** The CPU backend's attention, forward and backward against the conformance kit's reference. */
class CpuAttentionConformanceTest extends AttentionConformance {
    @Override
    protected Backend backendUnderTest() {
        return new CpuBackendProvider().create(BackendOptions.defaults());
    }
}
