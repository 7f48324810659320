package dev.ibex.spi.backend;

/**
 * A compute backend: device memory plus every kernel the shared building blocks ({@code dev.ibex.spi.nn}) call.
 * The kernels are grouped by family in the interfaces this one extends, so a backend can implement them in
 * separate classes of a few hundred lines each.
 *
 * <p>Forward kernels write their outputs. Backward kernels <em>add</em> into their gradient outputs (which
 * start as zeros from {@link MemoryOps#allocate}), so an input used twice collects both gradients without a
 * separate add. A backend is used from one thread at a time; it may use its own worker threads inside a kernel.
 */
public interface Backend extends MemoryOps, MatmulKernels, ElementwiseKernels, NormKernels, RopeKernels,
        AttentionKernels, EmbeddingKernels, LossKernels, OptimizerKernels, AutoCloseable {

    /** The provider name this backend was created by ("cpu", "tornado"). */
    String name();

    /** The device it runs on. */
    DeviceInfo device();

    /** Releases worker threads and device memory. Tensors of a closed backend must not be used. */
    @Override
    void close();
}
