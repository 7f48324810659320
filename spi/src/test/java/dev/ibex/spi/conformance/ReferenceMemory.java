package dev.ibex.spi.conformance;

import static dev.ibex.spi.conformance.ReferenceBackend.floats;
import static dev.ibex.spi.conformance.ReferenceBackend.ints;
import static dev.ibex.spi.conformance.ReferenceBackend.store;

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

/** The reference backend's memory: tensors in arenas, one confined arena per open allocation scope. */
final class ReferenceMemory implements MemoryOps {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;

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
}
