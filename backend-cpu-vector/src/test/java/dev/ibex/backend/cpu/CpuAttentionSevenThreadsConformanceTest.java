package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.conformance.AttentionConformance;

/**
 * Attention again with seven worker threads, whatever this machine has: how the kernel splits its work (query
 * heads of a group, key ranges with per-task dq buffers) depends on the thread count, and every split must give
 * the reference's result.
 */
class CpuAttentionSevenThreadsConformanceTest extends AttentionConformance {
    @Override
    protected Backend backendUnderTest() {
        return new CpuBackendProvider().create(new BackendOptions(7, 0));
    }
}
