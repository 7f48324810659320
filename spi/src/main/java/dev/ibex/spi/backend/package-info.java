/**
 * Compute backends: a {@link dev.ibex.spi.backend.BackendProvider} probes its device and creates a
 * {@link dev.ibex.spi.backend.Backend}, which owns device tensors ({@link dev.ibex.spi.backend.Tensor}) and runs
 * the kernels models need, forward and backward.
 *
 * <p>Conventions for every kernel: activations and gradients are F32; a linear weight is stored
 * {@code [out, in]} and applied as {@code y = x·Wᵀ + b}; a matrix argument of shape {@code [..., n]} is viewed
 * as {@code rows × n} in row-major order; output tensors are allocated by the caller and may be written without
 * being read first unless the kernel takes an {@code accumulate} flag. Kernels never keep references to their
 * arguments. Every kernel has a scalar reference in the conformance kit (the {@code ibex-spi} test-jar), which a
 * new backend runs against itself.
 */
package dev.ibex.spi.backend;
