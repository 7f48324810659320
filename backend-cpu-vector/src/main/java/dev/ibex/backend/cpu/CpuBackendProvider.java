package dev.ibex.backend.cpu;

import dev.ibex.spi.Availability;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.backend.BackendProvider;
import jdk.incubator.vector.FloatVector;

/** Registers the CPU backend ({@code backend: cpu}); always available, lowest priority. */
public final class CpuBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        return "CPU kernels on the Vector API (" + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors)";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Availability availability() {
        return Availability.yes(Runtime.getRuntime().availableProcessors() + " threads, "
                + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors");
    }

    @Override
    public Backend create(BackendOptions options) {
        int threads = options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
        return new CpuBackend(threads);
    }
}
