package dev.ibex.spi.backend;

/**
 * Options for creating a backend.
 *
 * @param threads worker threads for CPU kernels; 0 means one per available processor
 * @param device  device index for multi-device backends (0 = first)
 */
public record BackendOptions(int threads, int device) {
    public BackendOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
    }

    public static BackendOptions defaults() {
        return new BackendOptions(0, 0);
    }
}
