package dev.ibex.spi.conformance;

import dev.ibex.spi.backend.Backend;

/** The memory half of the kit run on the reference itself, so both the kit and the reference are exercised. */
class ReferenceMemoryTest extends MemoryConformance {
    @Override
    protected Backend backendUnderTest() {
        return new ReferenceBackend();
    }
}
