package dev.ibex.spi.conformance;

import dev.ibex.spi.backend.Activation;
import dev.ibex.spi.backend.AdamWStep;
import dev.ibex.spi.backend.AllocationScope;
import dev.ibex.spi.backend.AttentionSpec;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.DeviceInfo;
import dev.ibex.spi.backend.QuantTensor;
import dev.ibex.spi.backend.RopeSpec;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The scalar reference backend: single-threaded, double-precision accumulation where it matters, and written to
 * be read. Tensors are converted to {@code float[]}, the family classes ({@code ReferenceMatmul}, ...) compute on
 * arrays, and results are written back. Every backend is compared with it.
 */
public final class ReferenceBackend implements Backend {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;

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

    // ------------------------------------------------------------------ memory

    /** Open scopes of each thread, innermost first: tensors allocated in one die with it, as the SPI requires. */
    private final ThreadLocal<Deque<Arena>> scopes = ThreadLocal.withInitial(ArrayDeque::new);

    @Override
    public Tensor allocate(DType dtype, Shape shape) {
        long bytes = shape.numel() * dtype.byteSize();
        Arena scope = scopes.get().peek();
        Arena arena = scope != null ? scope : Arena.ofAuto();
        return new ReferenceTensor(dtype, shape, arena.allocate(Math.max(1, bytes), 64).asSlice(0, bytes));
    }

    @Override
    public AllocationScope openScope() {
        Arena arena = Arena.ofConfined();
        Deque<Arena> stack = scopes.get();
        stack.push(arena);
        return () -> {
            if (stack.peek() != arena) {
                throw new IllegalStateException("allocation scopes must be closed innermost first");
            }
            stack.pop();
            arena.close();
        };
    }

    @Override
    public Tensor upload(HostTensor host) {
        Tensor t = allocate(host.dtype(), host.shape());
        MemorySegment.copy(host.data(), 0, ReferenceTensor.of(t).data(), 0, host.byteSize());
        return t;
    }

    @Override
    public QuantTensor upload(QuantizedTensor weight) {
        return new QuantTensor() {
            @Override
            public QuantizedTensor source() {
                return weight;
            }

            @Override
            public DType dtype() {
                return DType.U8;
            }

            @Override
            public Shape shape() {
                return weight.shape();
            }
        };
    }

    @Override
    public Tensor fromFloats(Shape shape, float[] values) {
        checkCount(shape, values.length);
        Tensor t = allocate(DType.F32, shape);
        store(t, values);
        return t;
    }

    @Override
    public Tensor fromInts(Shape shape, int[] values) {
        checkCount(shape, values.length);
        Tensor t = allocate(DType.I32, shape);
        MemorySegment.copy(values, 0, ReferenceTensor.of(t).data(), I32, 0, values.length);
        return t;
    }

    private static void checkCount(Shape shape, int count) {
        if (shape.numel() != count) {
            throw new IllegalArgumentException(count + " values do not fill shape " + shape);
        }
    }

    @Override
    public void readFloats(Tensor tensor, long offset, float[] dst, int dstOffset, int count) {
        System.arraycopy(floats(tensor), Math.toIntExact(offset), dst, dstOffset, count);
    }

    @Override
    public void writeFloats(Tensor tensor, long offset, float[] src, int srcOffset, int count) {
        if (tensor.dtype() != DType.F32) {
            throw new IllegalArgumentException("writeFloats needs an F32 tensor, got " + tensor.dtype());
        }
        MemorySegment.copy(src, srcOffset, ReferenceTensor.of(tensor).data(), F32, offset * 4, count);
    }

    @Override
    public int[] toInts(Tensor tensor) {
        return ints(tensor);
    }

    @Override
    public void copy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long count) {
        ReferenceTensor s = ReferenceTensor.of(src);
        ReferenceTensor d = ReferenceTensor.of(dst);
        if (s.dtype() != d.dtype()) {
            throw new IllegalArgumentException("copy between " + s.dtype() + " and " + d.dtype());
        }
        int size = s.dtype().byteSize();
        MemorySegment.copy(s.data(), srcOffset * size, d.data(), dstOffset * size, count * size);
    }

    @Override
    public Tensor reshape(Tensor tensor, Shape shape) {
        ReferenceTensor r = ReferenceTensor.of(tensor);
        if (shape.numel() != r.numel()) {
            throw new IllegalArgumentException("cannot reshape " + r.shape() + " to " + shape);
        }
        return new ReferenceTensor(r.dtype(), shape, r.data());
    }

    @Override
    public void fill(Tensor tensor, float value) {
        float[] v = new float[Math.toIntExact(tensor.numel())];
        java.util.Arrays.fill(v, value);
        store(tensor, v);
    }

    // ------------------------------------------------------------------ kernels: see the family classes

    @Override
    public void linear(Tensor x, Tensor w, Tensor bias, Tensor y, boolean accumulate) {
        ReferenceMatmul.linear(x, w, bias, y, accumulate);
    }

    @Override
    public void linearBackwardInput(Tensor dy, Tensor w, Tensor dx) {
        ReferenceMatmul.linearBackwardInput(dy, w, dx);
    }

    @Override
    public void linearBackwardWeight(Tensor dy, Tensor x, Tensor dw) {
        ReferenceMatmul.linearBackwardWeight(dy, x, dw);
    }

    @Override
    public void sumRows(Tensor x, Tensor out) {
        ReferenceMatmul.sumRows(x, out);
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        ReferenceElementwise.add(a, b, out);
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        ReferenceElementwise.mul(a, b, out);
    }

    @Override
    public void scale(Tensor x, float alpha, Tensor out) {
        ReferenceElementwise.scale(x, alpha, out);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        ReferenceElementwise.axpy(alpha, x, y);
    }

    @Override
    public void activation(Activation f, Tensor x, Tensor out) {
        ReferenceElementwise.activation(f, x, out);
    }

    @Override
    public void activationBackward(Activation f, Tensor x, Tensor dy, Tensor dx) {
        ReferenceElementwise.activationBackward(f, x, dy, dx);
    }

    @Override
    public void swiglu(Tensor gate, Tensor up, Tensor out) {
        ReferenceElementwise.swiglu(gate, up, out);
    }

    @Override
    public void swigluBackward(Tensor gate, Tensor up, Tensor dy, Tensor dgate, Tensor dup) {
        ReferenceElementwise.swigluBackward(gate, up, dy, dgate, dup);
    }

    @Override
    public void copyColumns(Tensor src, int srcCol, Tensor dst, int dstCol, int count, boolean accumulate) {
        ReferenceElementwise.copyColumns(src, srcCol, dst, dstCol, count, accumulate);
    }

    @Override
    public void dropout(Tensor x, float p, long seed, Tensor out) {
        ReferenceElementwise.dropout(x, p, seed, out);
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor y, Tensor rstd) {
        ReferenceNorms.rmsNorm(x, weight, eps, y, rstd);
    }

    @Override
    public void rmsNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor rstd, Tensor dx, Tensor dweight) {
        ReferenceNorms.rmsNormBackward(dy, x, weight, rstd, dx, dweight);
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y, Tensor mean, Tensor rstd) {
        ReferenceNorms.layerNorm(x, weight, bias, eps, y, mean, rstd);
    }

    @Override
    public void layerNormBackward(Tensor dy, Tensor x, Tensor weight, Tensor mean, Tensor rstd, Tensor dx,
                                  Tensor dweight, Tensor dbias) {
        ReferenceNorms.layerNormBackward(dy, x, weight, mean, rstd, dx, dweight, dbias);
    }

    @Override
    public void rope(Tensor x, Tensor positions, RopeSpec spec, Tensor out, boolean inverse, boolean accumulate) {
        ReferenceRope.rope(x, positions, spec, out, inverse, accumulate);
    }

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec spec,
                          Tensor out, Tensor lse) {
        ReferenceAttention.attention(q, k, v, keyMask, queryStart, spec, out, lse);
    }

    @Override
    public void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor keyMask, int queryStart, AttentionSpec spec,
                                  Tensor out, Tensor lse, Tensor dout, Tensor dq, Tensor dk, Tensor dv) {
        ReferenceAttention.attentionBackward(q, k, v, keyMask, queryStart, spec, out, lse, dout, dq, dk, dv);
    }

    @Override
    public void embedding(Tensor ids, Tensor table, Tensor out) {
        ReferenceEmbedding.embedding(ids, table, out);
    }

    @Override
    public void embeddingBackward(Tensor ids, Tensor dout, Tensor dtable) {
        ReferenceEmbedding.embeddingBackward(ids, dout, dtable);
    }

    @Override
    public double crossEntropy(Tensor logits, Tensor labels, int ignoreIndex, Tensor dlogits, float gradScale) {
        return ReferenceLoss.crossEntropy(logits, labels, ignoreIndex, dlogits, gradScale);
    }

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step) {
        ReferenceOptimizer.adamw(param, grad, m, v, step);
    }

    @Override
    public double sumOfSquares(Tensor x) {
        return ReferenceOptimizer.sumOfSquares(x);
    }
}
