/**
 * Value types for tensors on the host: {@link dev.ibex.spi.tensor.DType}, {@link dev.ibex.spi.tensor.Shape} and
 * {@link dev.ibex.spi.tensor.HostTensor}, a typed, shaped, little-endian view over an Apache Arrow buffer
 * (off-heap, memory-mapped where the loader can). Device tensors are {@link dev.ibex.spi.backend.Tensor}s.
 */
package dev.ibex.spi.tensor;
