package dev.ibex.backend.cpu;

import dev.ibex.spi.backend.AllocationScope;
import dev.ibex.spi.backend.MemoryOps;
import dev.ibex.spi.backend.QuantTensor;
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
 * Native memory for CPU tensors: allocation scopes (one shared arena each, closed with the scope) and
 * GC-managed allocations outside scopes, plus the host copies.
 */
final class CpuMemory implements MemoryOps {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;

    private final ThreadLocal<Deque<Scope>> scopes = ThreadLocal.withInitial(ArrayDeque::new);

    private final class Scope implements AllocationScope {
        final Arena arena = Arena.ofShared();
        final Thread owner = Thread.currentThread();

        @Override
        public void close() {
            Deque<Scope> stack = scopes.get();
            if (Thread.currentThread() != owner || stack.peek() != this) {
                throw new IllegalStateException("allocation scopes must be closed innermost first, on the thread that opened them");
            }
            stack.pop();
            arena.close();
        }
    }

    public AllocationScope openScope() {
        Scope scope = new Scope();
        scopes.get().push(scope);
        return scope;
    }

    public CpuTensor allocate(DType dtype, Shape shape) {
        long bytes = Math.multiplyExact(shape.numel(), (long) dtype.byteSize());
        Scope scope = scopes.get().peek();
        Arena arena = scope != null ? scope.arena : Arena.ofAuto();
        // Arena.allocate zero-fills; 64-byte alignment keeps vector loads within cache lines.
        MemorySegment segment = arena.allocate(Math.max(bytes, 1), 64).asSlice(0, bytes);
        return new CpuTensor(dtype, shape, segment);
    }

    /**
     * A view of the host bytes as a plain native segment (no copy). Mapped segments are re-wrapped so kernels
     * see one segment implementation; the caller keeps the host tensor alive.
     */
    public CpuTensor upload(HostTensor host) {
        MemorySegment plain = MemorySegment.ofAddress(host.data().address()).reinterpret(host.byteSize());
        return new CpuTensor(host.dtype(), host.shape(), plain);
    }

    public CpuTensor fromFloats(Shape shape, float[] values) {
        check(shape, values.length);
        CpuTensor t = allocate(DType.F32, shape);
        MemorySegment.copy(values, 0, t.data(), F32, 0, values.length);
        return t;
    }

    public CpuTensor fromInts(Shape shape, int[] values) {
        check(shape, values.length);
        CpuTensor t = allocate(DType.I32, shape);
        MemorySegment.copy(values, 0, t.data(), I32, 0, values.length);
        return t;
    }

    private static void check(Shape shape, int length) {
        if (shape.numel() != length) {
            throw new IllegalArgumentException(length + " values do not fill shape " + shape);
        }
    }

    public void readFloats(Tensor tensor, long offset, float[] dst, int dstOffset, int count) {
        CpuTensor t = CpuTensor.of(tensor);
        switch (t.dtype()) {
            case F32 -> MemorySegment.copy(t.data(), F32, offset * 4, dst, dstOffset, count);
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = DType.bf16ToFloat(t.data().getAtIndex(I16, offset + i));
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = DType.f16ToFloat(t.data().getAtIndex(I16, offset + i));
                }
            }
            default -> throw new IllegalArgumentException("cannot read " + t.dtype() + " as floats");
        }
    }

    public void writeFloats(Tensor tensor, long offset, float[] src, int srcOffset, int count) {
        CpuTensor t = CpuTensor.f32(tensor, "destination");
        MemorySegment.copy(src, srcOffset, t.data(), F32, offset * 4, count);
    }

    public int[] toInts(Tensor tensor) {
        CpuTensor t = CpuTensor.of(tensor);
        if (t.dtype() != DType.I32) {
            throw new IllegalArgumentException("cannot read " + t.dtype() + " as ints");
        }
        return t.data().toArray(ValueLayout.JAVA_INT);
    }

    public void copy(Tensor source, long srcOffset, Tensor destination, long dstOffset, long count) {
        CpuTensor src = CpuTensor.of(source);
        CpuTensor dst = CpuTensor.of(destination);
        if (src.dtype() != dst.dtype()) {
            throw new IllegalArgumentException("copy between " + src.dtype() + " and " + dst.dtype());
        }
        int size = src.dtype().byteSize();
        MemorySegment.copy(src.data(), srcOffset * size, dst.data(), dstOffset * size, count * size);
    }

    public CpuTensor reshape(Tensor tensor, Shape shape) {
        CpuTensor t = CpuTensor.of(tensor);
        if (shape.numel() != t.shape().numel()) {
            throw new IllegalArgumentException("cannot reshape " + t.shape() + " to " + shape);
        }
        return new CpuTensor(t.dtype(), shape, t.data());
    }

    public void fill(Tensor tensor, float value) {
        CpuTensor t = CpuTensor.f32(tensor, "fill target");
        if (value == 0f) {
            t.data().fill((byte) 0);
            return;
        }
        long n = t.numel();
        for (long i = 0; i < n; i++) {
            t.data().setAtIndex(F32, i, value);
        }
    }

    /** Quantized weights stay in their host layout: the fused kernels read it in place. */
    @Override
    public QuantTensor upload(QuantizedTensor weight) {
        return CpuQuantTensor.of(weight);
    }
}
