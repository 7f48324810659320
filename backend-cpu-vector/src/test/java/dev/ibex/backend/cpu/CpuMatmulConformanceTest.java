package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.conformance.MatmulConformance;
import org.junit.jupiter.api.AfterAll;

/**
 * The CPU matmuls against the reference, with three worker threads: more than this machine's cores and odd, so
 * that strips of uneven width and the hand-off between threads are exercised wherever the tests run.
 */
class CpuMatmulConformanceTest extends MatmulConformance {
    private static final CpuBackend BACKEND = new CpuBackend(3);

    @Override
    protected Backend backendUnderTest() {
        return BACKEND;
    }

    @AfterAll
    static void close() {
        BACKEND.close();
    }
}
