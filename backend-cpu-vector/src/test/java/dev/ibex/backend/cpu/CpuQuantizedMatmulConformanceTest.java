package dev.ibex.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.conformance.QuantizedMatmulConformance;
import org.junit.jupiter.api.AfterAll;

/**
 * The CPU's fused NF4/FP4 and LLM.int8 kernels against the kit's reference products, with three worker threads
 * (more than this machine's cores, and odd). The kit's weights are in the well-known layouts, so none of them may
 * have fallen back to the reference product.
 */
class CpuQuantizedMatmulConformanceTest extends QuantizedMatmulConformance {

    @Override
    protected Backend backendUnderTest() {
        return new CpuBackend(3);
    }

    @AfterAll
    void noKnownLayoutFellBackToTheReference() {
        assertFalse(CpuMatmul.reportedFallbacks().contains("kit-blockwise-4bit"));
        assertFalse(CpuMatmul.reportedFallbacks().contains("kit-rowwise-int8"));
    }
}
