package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.conformance.NormConformance;

/** The CPU backend's RMSNorm and LayerNorm against the conformance kit's reference. */
class CpuNormConformanceTest extends NormConformance {
    @Override
    protected Backend backendUnderTest() {
        return new CpuBackendProvider().create(BackendOptions.defaults());
    }
}
