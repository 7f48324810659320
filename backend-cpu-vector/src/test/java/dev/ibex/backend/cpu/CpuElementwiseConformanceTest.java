package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.conformance.ElementwiseConformance;

/** The CPU backend's pointwise kernels against the conformance kit's reference. */
class CpuElementwiseConformanceTest extends ElementwiseConformance {
    @Override
    protected Backend backendUnderTest() {
        return new CpuBackendProvider().create(BackendOptions.defaults());
    }
}
