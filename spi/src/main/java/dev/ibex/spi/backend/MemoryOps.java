package dev.ibex.spi.backend;

import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;

/**
 * Device memory: allocation, allocation scopes, and the explicit copies between host and device.
 *
 * <p>Lifetimes: a tensor allocated while an {@link #openScope() allocation scope} is open on the calling thread
 * belongs to the innermost scope and is released when that scope closes (using it afterwards fails). A tensor
 * allocated outside every scope (parameters, gradients, optimizer state, KV caches) lives until it is unreachable.
 * The runtime opens a scope per training micro-batch and per generation step, so activations never pile up.
 */
public interface MemoryOps {

    /** A new zero-filled tensor. */
    Tensor allocate(DType dtype, Shape shape);

    /** Opens an allocation scope on the calling thread (see the class comment); scopes nest. */
    AllocationScope openScope();

    /**
     * Makes a host tensor available on the device (F32, F16, BF16 or I32), for weights: uploaded once. A
     * host-memory backend may return a view that shares the host bytes, so the caller must keep {@code host}
     * alive and unchanged for as long as it uses the result.
     */
    Tensor upload(HostTensor host);

    /** Makes a quantized weight available on the device, in its quantized form. */
    QuantTensor upload(QuantizedTensor weight);

    /** A new F32 tensor holding {@code values} (row-major). */
    Tensor fromFloats(Shape shape, float[] values);

    /** A new I32 tensor holding {@code values} (row-major). */
    Tensor fromInts(Shape shape, int[] values);

    /** Copies {@code count} elements from flat index {@code offset} of an F32/F16/BF16 tensor to the host. */
    void readFloats(Tensor tensor, long offset, float[] dst, int dstOffset, int count);

    /** Copies {@code count} floats from the host into an F32 tensor at flat index {@code offset}. */
    void writeFloats(Tensor tensor, long offset, float[] src, int srcOffset, int count);

    /** All elements of an F32/F16/BF16 tensor, as floats. */
    default float[] toFloats(Tensor tensor) {
        float[] out = new float[Math.toIntExact(tensor.numel())];
        readFloats(tensor, 0, out, 0, out.length);
        return out;
    }

    /** All elements of an I32 tensor. */
    int[] toInts(Tensor tensor);

    /** Copies {@code count} elements (same dtype) from {@code src[srcOffset..]} to {@code dst[dstOffset..]}. */
    void copy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long count);

    /** A tensor sharing {@code tensor}'s storage with another shape of the same element count. */
    Tensor reshape(Tensor tensor, Shape shape);

    /** Sets every element of an F32 tensor to {@code value}. */
    void fill(Tensor tensor, float value);
}
