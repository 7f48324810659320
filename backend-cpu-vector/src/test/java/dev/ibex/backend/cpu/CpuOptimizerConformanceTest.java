package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.conformance.OptimizerConformance;

/** The CPU backend's AdamW and the sum of squares against the conformance kit's reference. */
class CpuOptimizerConformanceTest extends OptimizerConformance {
    @Override
    protected Backend backendUnderTest() {
        return new CpuBackendProvider().create(BackendOptions.defaults());
    }
}
