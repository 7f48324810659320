package dev.ibex.spi.backend;

/**
 * Tensors allocated on one thread between {@link MemoryOps#openScope()} and {@link #close()}; closing releases
 * them all at once. Close scopes in the reverse order they were opened (try-with-resources does).
 */
public interface AllocationScope extends AutoCloseable {
    @Override
    void close();
}
