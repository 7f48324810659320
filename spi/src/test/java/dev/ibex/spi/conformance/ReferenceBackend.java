package dev.ibex.spi.conformance;

import dev.ibex.spi.backend.ComposedBackend;
import dev.ibex.spi.backend.DeviceInfo;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The scalar reference backend: single-threaded, double-precision accumulation where it matters, and written to
 * be read. Tensors are converted to {@code float[]}, the family classes ({@code ReferenceMatmul}, ...) compute on
 * arrays, and results are written back. Every backend is compared with it.
 */
public final class ReferenceBackend extends ComposedBackend {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    public ReferenceBackend() {
        super(new ReferenceMemory(), new ReferenceMatmul(), new ReferenceElementwise(), new ReferenceNorms(),
                new ReferenceRope(), new ReferenceAttention(), new ReferenceEmbedding(), new ReferenceLoss(),
                new ReferenceOptimizer());
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public DeviceInfo device() {
        return new DeviceInfo("scalar reference", -1, true);
    }

    @Override
    public void close() {
    }

    // ------------------------------------------------------------------ array views

    /** The elements of an F32/F16/BF16 tensor as floats. */
    static float[] floats(Tensor t) {
        ReferenceTensor r = ReferenceTensor.of(t);
        int n = Math.toIntExact(r.numel());
        float[] out = new float[n];
        HostTensor.view(r.dtype(), r.shape(), r.data()).readFloats(0, out, 0, n);
        return out;
    }

    /** The elements of an I32 tensor. */
    static int[] ints(Tensor t) {
        ReferenceTensor r = ReferenceTensor.of(t);
        if (r.dtype() != DType.I32) {
            throw new IllegalArgumentException("expected I32, got " + r.dtype());
        }
        return r.data().toArray(ValueLayout.JAVA_INT);
    }

    /** Writes floats into an F32 tensor. */
    static void store(Tensor t, float[] values) {
        ReferenceTensor r = ReferenceTensor.of(t);
        if (r.dtype() != DType.F32) {
            throw new IllegalArgumentException("expected an F32 output, got " + r.dtype());
        }
        MemorySegment.copy(values, 0, r.data(), F32, 0, values.length);
    }
}
