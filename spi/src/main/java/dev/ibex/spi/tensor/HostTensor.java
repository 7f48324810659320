package dev.ibex.spi.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;

/**
 * A typed, shaped, little-endian tensor in host memory: a view over an Apache Arrow buffer.
 *
 * <p>Weights loaded from safetensors are views into the memory-mapped file (no copy; the checkpoint owns the
 * mapping). Tensors made with {@link #allocate} own an Arrow buffer from the given allocator, so they count
 * against its limit, and release it on {@link #close()}.
 */
public final class HostTensor implements AutoCloseable {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final DType dtype;
    private final Shape shape;
    private final MemorySegment data;
    private final ArrowBuf owned;

    private HostTensor(DType dtype, Shape shape, MemorySegment data, ArrowBuf owned) {
        this.dtype = Objects.requireNonNull(dtype);
        this.shape = Objects.requireNonNull(shape);
        long expected = Math.multiplyExact(shape.numel(), (long) dtype.byteSize());
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(
                    "a " + dtype + " tensor of shape " + shape + " needs " + expected + " bytes, got " + data.byteSize());
        }
        this.data = data;
        this.owned = owned;
    }

    /** A view over bytes someone else owns (for example a memory-mapped checkpoint). */
    public static HostTensor view(DType dtype, Shape shape, MemorySegment data) {
        return new HostTensor(dtype, shape, data, null);
    }

    /** A zero-filled tensor in a new Arrow buffer from {@code allocator}. */
    public static HostTensor allocate(BufferAllocator allocator, DType dtype, Shape shape) {
        long bytes = Math.multiplyExact(shape.numel(), (long) dtype.byteSize());
        Arena arena = Arena.ofShared();
        MemorySegment segment;
        try {
            segment = arena.allocate(Math.max(bytes, 1), 64).asSlice(0, bytes);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
        ArrowBuf buf = wrap(allocator, arena, segment);
        return new HostTensor(dtype, shape, segment, buf);
    }

    /** A new F32 tensor holding a copy of {@code values}. */
    public static HostTensor ofFloats(BufferAllocator allocator, Shape shape, float[] values) {
        HostTensor t = allocate(allocator, DType.F32, shape);
        MemorySegment.copy(values, 0, t.data, F32, 0, values.length);
        return t;
    }

    /**
     * Wraps memory that an {@link Arena} owns in an Arrow buffer charged to {@code allocator}; closing the buffer
     * closes the arena. This is how mapped files and native allocations enter Arrow without a copy.
     */
    public static ArrowBuf wrap(BufferAllocator allocator, Arena arena, MemorySegment segment) {
        try {
            return allocator.wrapForeignAllocation(new ForeignAllocation(segment.byteSize(), segment.address()) {
                @Override
                protected void release0() {
                    arena.close();
                }
            });
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public DType dtype() {
        return dtype;
    }

    public Shape shape() {
        return shape;
    }

    /** The raw little-endian bytes. */
    public MemorySegment data() {
        return data;
    }

    public long numel() {
        return shape.numel();
    }

    public long byteSize() {
        return data.byteSize();
    }

    /** Element {@code index} (flat, row-major) as a float, converting from the stored dtype. */
    public float getFloat(long index) {
        return switch (dtype) {
            case F32 -> data.getAtIndex(F32, index);
            case BF16 -> DType.bf16ToFloat(data.getAtIndex(I16, index));
            case F16 -> DType.f16ToFloat(data.getAtIndex(I16, index));
            case F64 -> (float) data.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, index);
            case I8 -> data.get(ValueLayout.JAVA_BYTE, index);
            case U8, BOOL -> data.get(ValueLayout.JAVA_BYTE, index) & 0xff;
            case I16 -> data.getAtIndex(I16, index);
            case U16 -> data.getAtIndex(I16, index) & 0xffff;
            case I32 -> data.getAtIndex(I32, index);
            case U32 -> data.getAtIndex(I32, index) & 0xffffffffL;
            case I64, U64 -> data.getAtIndex(I64, index);
            default -> throw new UnsupportedOperationException("reading " + dtype + " as float");
        };
    }

    /** Element {@code index} of an integer tensor as a long. */
    public long getLong(long index) {
        return switch (dtype) {
            case I8 -> data.get(ValueLayout.JAVA_BYTE, index);
            case U8, BOOL -> data.get(ValueLayout.JAVA_BYTE, index) & 0xff;
            case I16 -> data.getAtIndex(I16, index);
            case U16 -> data.getAtIndex(I16, index) & 0xffff;
            case I32 -> data.getAtIndex(I32, index);
            case U32 -> data.getAtIndex(I32, index) & 0xffffffffL;
            case I64, U64 -> data.getAtIndex(I64, index);
            default -> throw new UnsupportedOperationException("reading " + dtype + " as an integer");
        };
    }

    /** Copies {@code count} elements starting at flat index {@code from} into {@code dst}, converted to float. */
    public void readFloats(long from, float[] dst, int dstOffset, int count) {
        Objects.checkFromIndexSize(from, count, numel());
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, F32, from * 4, dst, dstOffset, count);
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = DType.bf16ToFloat(data.getAtIndex(I16, from + i));
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = DType.f16ToFloat(data.getAtIndex(I16, from + i));
                }
            }
            default -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = getFloat(from + i);
                }
            }
        }
    }

    /** All elements as a new float array (for small tensors: fails past 2^31 - 1 elements). */
    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(numel())];
        readFloats(0, out, 0, out.length);
        return out;
    }

    /** A copy of this tensor converted to {@code target} (F32, F16 or BF16), in a buffer from {@code allocator}. */
    public HostTensor convert(BufferAllocator allocator, DType target) {
        HostTensor out = allocate(allocator, target, shape);
        long n = numel();
        float[] chunk = new float[(int) Math.min(n, 1 << 16)];
        for (long i = 0; i < n; i += chunk.length) {
            int count = (int) Math.min(chunk.length, n - i);
            readFloats(i, chunk, 0, count);
            for (int j = 0; j < count; j++) {
                out.setFloat(i + j, chunk[j]);
            }
        }
        return out;
    }

    /** Writes element {@code index}, converting to the stored float dtype (F32, F16 or BF16). */
    public void setFloat(long index, float value) {
        switch (dtype) {
            case F32 -> data.setAtIndex(F32, index, value);
            case BF16 -> data.setAtIndex(I16, index, DType.floatToBf16(value));
            case F16 -> data.setAtIndex(I16, index, DType.floatToF16(value));
            default -> throw new UnsupportedOperationException("writing floats into " + dtype);
        }
    }

    /** A tensor with the same bytes and a different shape of the same element count. */
    public HostTensor reshape(Shape newShape) {
        if (newShape.numel() != shape.numel()) {
            throw new IllegalArgumentException("cannot reshape " + shape + " to " + newShape);
        }
        return new HostTensor(dtype, newShape, data, null);
    }

    /** Releases the buffer this tensor owns (views own nothing). */
    @Override
    public void close() {
        if (owned != null && owned.refCnt() > 0) {
            owned.close();
        }
    }

    @Override
    public String toString() {
        return "HostTensor[" + dtype + " " + shape + "]";
    }
}
