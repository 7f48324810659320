package dev.ibex.spi.backend;

import dev.ibex.spi.Availability;
import dev.ibex.spi.Provider;

/**
 * Finds and creates a compute backend. Registered with {@code provides dev.ibex.spi.backend.BackendProvider with ...}.
 *
 * <p>The runtime picks the available backend with the highest {@link #priority()}, unless the user names one
 * ({@code backend: cpu} in YAML, {@code --backend} on the command line).
 */
public interface BackendProvider extends Provider {

    /** Higher wins when the user does not choose; the CPU backend is 10, GPU backends are higher. */
    int priority();

    /**
     * Checks whether this backend can run here, cheaply and without side effects. An unavailable backend says
     * why ("no OpenCL device", "TornadoVM not installed: ...").
     */
    @Override
    Availability availability();

    /** Creates a backend; only called when {@link #availability()} is available. */
    Backend create(BackendOptions options);
}
