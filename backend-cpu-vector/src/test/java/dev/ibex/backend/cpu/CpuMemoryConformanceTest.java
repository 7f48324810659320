package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.conformance.MemoryConformance;

/** The CPU backend's memory operations against the conformance kit's reference. */
class CpuMemoryConformanceTest extends MemoryConformance {
    @Override
    protected Backend backendUnderTest() {
        return new CpuBackendProvider().create(BackendOptions.defaults());
    }
}
