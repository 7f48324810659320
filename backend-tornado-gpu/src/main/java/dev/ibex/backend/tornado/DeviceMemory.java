package dev.ibex.backend.tornado;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.backend.AllocationScope;
import dev.ibex.spi.backend.MemoryOps;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.quant.Blockwise4Bit;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.quant.RowwiseInt8;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Device memory: blocks of the three heaps, allocation scopes, and the host copies, which go through the staging
 * graphs in chunks of at most {@link Device#LARGE_STAGE} elements. Nothing is ever read back implicitly: the host
 * sees device data only through the explicit copies here.
 */
final class DeviceMemory implements MemoryOps {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final int HEAP_F32 = 0;
    private static final int HEAP_I32 = 1;
    private static final int HEAP_H16 = 2;

    private final Device device;
    private final Heap f32;
    private final Heap i32;
    private final Heap h16;
    private final Device.Launch fill;
    private final Device.Launch copy;
    private final ThreadLocal<Deque<Scope>> scopes = ThreadLocal.withInitial(ArrayDeque::new);

    DeviceMemory(Device device) {
        this.device = device;
        this.f32 = new Heap("F32", device.f32.getSize());
        this.i32 = new Heap("I32", device.i32.getSize());
        this.h16 = new Heap("16-bit", device.h16.getSize());
        this.fill = device.kernel1d("fill", DeviceMemory::fillKernel);
        this.copy = device.kernel1d("copy", DeviceMemory::copyKernel);
    }

    // ------------------------------------------------------------------ kernels

    /** {@code heap(ip[0])[ip[1] + i] = value} for {@code i < ip[2]}; the value is {@code fp[0]} or {@code ip[3]}. */
    static void fillKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k, IntArray ip,
                           FloatArray fp) {
        int i = c.globalIdx;
        if (i < ip.get(2)) {
            int heap = ip.get(0);
            int at = ip.get(1) + i;
            if (heap == HEAP_F32) {
                f32.set(at, fp.get(0));
            } else if (heap == HEAP_I32) {
                i32.set(at, ip.get(3));
            } else {
                h16.set(at, (short) ip.get(3));
            }
        }
    }

    /** {@code heap(ip[0])[ip[2] + i] = heap(ip[0])[ip[1] + i]} for {@code i < ip[3]}; ranges do not overlap. */
    static void copyKernel(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k, IntArray ip,
                           FloatArray fp) {
        int i = c.globalIdx;
        if (i < ip.get(3)) {
            int heap = ip.get(0);
            int from = ip.get(1) + i;
            int to = ip.get(2) + i;
            if (heap == HEAP_F32) {
                f32.set(to, f32.get(from));
            } else if (heap == HEAP_I32) {
                i32.set(to, i32.get(from));
            } else {
                h16.set(to, h16.get(from));
            }
        }
    }

    // ------------------------------------------------------------------ allocation and scopes

    private final class Scope implements AllocationScope {
        final Thread owner = Thread.currentThread();
        final List<Block> blocks = new ArrayList<>();

        @Override
        public void close() {
            Deque<Scope> stack = scopes.get();
            if (Thread.currentThread() != owner || stack.peek() != this) {
                throw new IllegalStateException(
                        "allocation scopes must be closed innermost first, on the thread that opened them");
            }
            stack.pop();
            for (Block b : blocks) {
                b.markReleased();
                b.heap.release(b.offset, b.length);
            }
            blocks.clear();
        }
    }

    public AllocationScope openScope() {
        Scope scope = new Scope();
        scopes.get().push(scope);
        return scope;
    }

    private Heap heapOf(DType dtype) {
        return switch (dtype) {
            case F32 -> f32;
            case I32 -> i32;
            case F16, BF16 -> h16;
            default -> throw new IllegalArgumentException("the tornado backend stores F32, I32, F16 and BF16 tensors, not "
                    + dtype);
        };
    }

    private static int heapCode(DType dtype) {
        return switch (dtype) {
            case F32 -> HEAP_F32;
            case I32 -> HEAP_I32;
            default -> HEAP_H16;
        };
    }

    /** A zero-filled tensor. */
    public DeviceTensor allocate(DType dtype, Shape shape) {
        DeviceTensor t = allocateUninitialised(dtype, shape);
        long dirty = t.block().heap.dirtyBelow(t.block().offset, t.block().length);
        if (dirty > 0) {
            fillRange(heapCode(dtype), t.block().offset, dirty, 0f);
        }
        return t;
    }

    /**
     * A zero-filled tensor that outlives any open allocation scope (released by the Cleaner when unreachable), for
     * what the backend keeps between calls.
     */
    DeviceTensor allocatePersistent(DType dtype, Shape shape) {
        DeviceTensor t = allocate(dtype, shape, false);
        long dirty = t.block().heap.dirtyBelow(t.block().offset, t.block().length);
        if (dirty > 0) {
            fillRange(heapCode(dtype), t.block().offset, dirty, 0f);
        }
        return t;
    }

    /** A tensor whose contents the caller overwrites completely before anyone reads it. */
    DeviceTensor allocateUninitialised(DType dtype, Shape shape) {
        return allocate(dtype, shape, true);
    }

    private DeviceTensor allocate(DType dtype, Shape shape, boolean scoped) {
        return allocate(heapOf(dtype), dtype, shape, scoped);
    }

    private DeviceTensor allocate(Heap heap, DType dtype, Shape shape, boolean scoped) {
        long n = shape.numel();
        if (n > Integer.MAX_VALUE) {
            throw new IbexException("a tensor of " + n + " elements is too large for the tornado backend (at most "
                    + Integer.MAX_VALUE + ")");
        }
        long offset = heap.allocate(n);
        // Tensors outside scopes are freed by the Cleaner once unreachable: give it a chance before giving up.
        for (int attempt = 0; offset < 0 && attempt < 8; attempt++) {
            System.gc();
            try {
                Thread.sleep(5L << attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            offset = heap.allocate(n);
        }
        if (offset < 0) {
            throw new IbexException(String.format(Locale.ROOT,
                    "the tornado backend's %s device heap is full: %s %s needs %s, the largest free range holds %s of %s"
                            + " (%s in use); raise -Dibex.tornado.%s",
                    heap.name(), dtype, shape, bytes(n, dtype), bytes(heap.largestFree(), dtype),
                    bytes(heap.capacity(), dtype), bytes(heap.used(), dtype), propertyOf(dtype)));
        }
        Block block = new Block(heap, offset, n);
        Scope scope = scoped ? scopes.get().peek() : null;
        if (scope != null) {
            scope.blocks.add(block);
        } else {
            long off = offset;
            CLEANER.register(block, () -> heap.release(off, n));
        }
        return new DeviceTensor(dtype, shape, block);
    }

    private static String propertyOf(DType dtype) {
        return switch (dtype) {
            case F32 -> "f32Heap";
            case I32 -> "i32Heap";
            default -> "f16Heap";
        };
    }

    private static String bytes(long elements, DType dtype) {
        double b = (double) elements * dtype.byteSize();
        return b >= 1 << 30 ? String.format(Locale.ROOT, "%.2f GiB", b / (1 << 30))
                : String.format(Locale.ROOT, "%.1f MiB", b / (1 << 20));
    }

    // ------------------------------------------------------------------ host copies

    public DeviceTensor upload(HostTensor host) {
        DType dtype = host.dtype();
        DeviceTensor t = allocateUninitialised(dtype, host.shape());
        t.block().heap.dirtyBelow(t.block().offset, t.block().length);
        MemorySegment src = host.data();
        switch (dtype) {
            case F32 -> writeSegment(HEAP_F32, t.offset(), src, t.count());
            case I32 -> {
                writeSegment(HEAP_I32, t.offset(), src, t.count());
                t.block().hostInts(src.toArray(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN)));
            }
            case F16, BF16 -> writeSegment(HEAP_H16, t.offset(), src, t.count());
            default -> throw new IllegalArgumentException("cannot upload " + dtype);
        }
        return t;
    }

    public DeviceTensor fromFloats(Shape shape, float[] values) {
        check(shape, values.length);
        DeviceTensor t = allocateUninitialised(DType.F32, shape);
        t.block().heap.dirtyBelow(t.block().offset, t.block().length);
        writeSegment(HEAP_F32, t.offset(), MemorySegment.ofArray(values), values.length);
        return t;
    }

    /** {@link #fromFloats} outside any allocation scope, for values the backend keeps between calls. */
    DeviceTensor persistentFloats(Shape shape, float[] values) {
        check(shape, values.length);
        DeviceTensor t = allocate(DType.F32, shape, false);
        t.block().heap.dirtyBelow(t.block().offset, t.block().length);
        writeSegment(HEAP_F32, t.offset(), MemorySegment.ofArray(values), values.length);
        return t;
    }

    public DeviceTensor fromInts(Shape shape, int[] values) {
        check(shape, values.length);
        DeviceTensor t = allocateUninitialised(DType.I32, shape);
        t.block().heap.dirtyBelow(t.block().offset, t.block().length);
        writeSegment(HEAP_I32, t.offset(), MemorySegment.ofArray(values), values.length);
        t.block().hostInts(values.clone());
        return t;
    }

    private static void check(Shape shape, int length) {
        if (shape.numel() != length) {
            throw new IllegalArgumentException(length + " values do not fill shape " + shape);
        }
    }

    /** Copies {@code count} elements from host bytes (little-endian, the heap's element size) into a heap. */
    private void writeSegment(int heap, int offset, MemorySegment src, int count) {
        int size = heap == HEAP_H16 ? 2 : 4;
        for (int done = 0; done < count; ) {
            int n = Math.min(count - done, Device.LARGE_STAGE);
            boolean small = n <= Device.SMALL_STAGE;
            MemorySegment stage = switch (heap) {
                case HEAP_F32 -> (small ? device.stageF32Small : device.stageF32Large).getSegment();
                case HEAP_I32 -> (small ? device.stageI32Small : device.stageI32Large).getSegment();
                default -> (small ? device.stageH16Small : device.stageH16Large).getSegment();
            };
            MemorySegment.copy(src, (long) done * size, stage, 0, (long) n * size);
            device.params(offset + done, n);
            device.run(switch (heap) {
                case HEAP_F32 -> small ? device.inF32Small : device.inF32Large;
                case HEAP_I32 -> small ? device.inI32Small : device.inI32Large;
                default -> small ? device.inH16Small : device.inH16Large;
            }, n);
            done += n;
        }
    }

    /** Copies {@code count} elements of a heap into host memory (little-endian). */
    private void readSegment(int heap, int offset, MemorySegment dst, int count) {
        int size = heap == HEAP_H16 ? 2 : 4;
        for (int done = 0; done < count; ) {
            int n = Math.min(count - done, Device.LARGE_STAGE);
            boolean small = n <= Device.SMALL_STAGE;
            device.params(offset + done, n);
            device.run(switch (heap) {
                case HEAP_F32 -> small ? device.outF32Small : device.outF32Large;
                case HEAP_I32 -> small ? device.outI32Small : device.outI32Large;
                default -> small ? device.outH16Small : device.outH16Large;
            }, n);
            MemorySegment stage = switch (heap) {
                case HEAP_F32 -> (small ? device.stageF32Small : device.stageF32Large).getSegment();
                case HEAP_I32 -> (small ? device.stageI32Small : device.stageI32Large).getSegment();
                default -> (small ? device.stageH16Small : device.stageH16Large).getSegment();
            };
            MemorySegment.copy(stage, 0, dst, (long) done * size, (long) n * size);
            done += n;
        }
    }

    public void readFloats(Tensor tensor, long offset, float[] dst, int dstOffset, int count) {
        DeviceTensor t = TornadoBackend.of(tensor);
        checkRange(t, offset, count);
        switch (t.dtype()) {
            case F32 -> readSegment(HEAP_F32, t.offset() + (int) offset,
                    MemorySegment.ofArray(dst).asSlice(4L * dstOffset, 4L * count), count);
            case F16, BF16 -> {
                short[] bits = new short[count];
                readSegment(HEAP_H16, t.offset() + (int) offset, MemorySegment.ofArray(bits), count);
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = t.dtype() == DType.F16 ? DType.f16ToFloat(bits[i]) : DType.bf16ToFloat(bits[i]);
                }
            }
            default -> throw new IllegalArgumentException("cannot read " + t.dtype() + " as floats");
        }
    }

    public void writeFloats(Tensor tensor, long offset, float[] src, int srcOffset, int count) {
        DeviceTensor t = TornadoBackend.f32(tensor, "destination");
        checkRange(t, offset, count);
        writeSegment(HEAP_F32, t.offset() + (int) offset, MemorySegment.ofArray(src).asSlice(4L * srcOffset, 4L * count),
                count);
    }

    /** Every element of an F32 tensor. */
    float[] toFloatsOf(DeviceTensor t) {
        float[] out = new float[t.count()];
        readFloats(t, 0, out, 0, out.length);
        return out;
    }

    public int[] toInts(Tensor tensor) {
        DeviceTensor t = TornadoBackend.of(tensor);
        if (t.dtype() != DType.I32) {
            throw new IllegalArgumentException("cannot read " + t.dtype() + " as ints");
        }
        int[] known = t.block().hostInts();
        if (known != null && !t.block().released()) {
            return known.clone();
        }
        int[] out = new int[t.count()];
        readSegment(HEAP_I32, t.offset(), MemorySegment.ofArray(out), out.length);
        return out;
    }

    /** The values of an I32 tensor, from the host copy when there is one (no device round trip). */
    int[] ints(DeviceTensor t) {
        int[] known = t.block().hostInts();
        t.offset(); // fails for a released tensor
        return known != null ? known : toInts(t);
    }

    private static void checkRange(DeviceTensor t, long offset, long count) {
        if (offset < 0 || count < 0 || offset + count > t.numel()) {
            throw new IndexOutOfBoundsException("elements [" + offset + ", " + (offset + count) + ") of " + t);
        }
    }

    // ------------------------------------------------------------------ device-side copies

    public void copy(Tensor source, long srcOffset, Tensor destination, long dstOffset, long count) {
        DeviceTensor src = TornadoBackend.of(source);
        DeviceTensor dst = TornadoBackend.of(destination);
        if (src.dtype() != dst.dtype()) {
            throw new IllegalArgumentException("copy between " + src.dtype() + " and " + dst.dtype());
        }
        checkRange(src, srcOffset, count);
        checkRange(dst, dstOffset, count);
        if (count == 0) {
            return;
        }
        long from = src.offset() + srcOffset;
        long to = dst.offset() + dstOffset;
        int heap = heapCode(src.dtype());
        if (from < to + count && to < from + count && from != to) {
            // Overlapping ranges of one block: a parallel copy would read elements it has already overwritten.
            DeviceTensor tmp = scratch(src.dtype(), count);
            try {
                copyRange(heap, from, tmp.offset(), count);
                copyRange(heap, tmp.offset(), to, count);
            } finally {
                freeScratch(tmp);
            }
        } else if (from != to) {
            copyRange(heap, from, to, count);
        }
        if (dst.dtype() == DType.I32) {
            int[] s = src.block().hostInts();
            int[] d = dst.block().hostInts();
            if (s != null && d != null) {
                int[] updated = d.clone();
                System.arraycopy(s, (int) srcOffset, updated, (int) dstOffset, (int) count);
                dst.block().hostInts(updated);
            } else {
                dst.block().hostInts(null);
            }
        }
    }

    private void copyRange(int heap, long from, long to, long count) {
        device.params(heap, (int) from, (int) to, (int) count);
        device.run(copy, count);
    }

    private void fillRange(int heap, long offset, long count, float value) {
        device.params(heap, (int) offset, (int) count, 0);
        device.floatParams(value);
        device.run(fill, count);
    }

    /** Sets every element of an I32 tensor (the host copy follows). */
    void fillInts(DeviceTensor t, int value) {
        device.params(HEAP_I32, t.offset(), t.count(), value);
        device.run(fill, t.count());
        int[] copy = new int[t.count()];
        java.util.Arrays.fill(copy, value);
        t.block().hostInts(copy);
    }

    public void fill(Tensor tensor, float value) {
        DeviceTensor t = TornadoBackend.f32(tensor, "fill target");
        fillRange(HEAP_F32, t.offset(), t.count(), value);
    }

    public DeviceTensor reshape(Tensor tensor, Shape shape) {
        DeviceTensor t = TornadoBackend.of(tensor);
        if (shape.numel() != t.shape().numel()) {
            throw new IllegalArgumentException("cannot reshape " + t.shape() + " to " + shape);
        }
        t.offset();
        return new DeviceTensor(t.dtype(), shape, t.block());
    }

    /**
     * Scratch space for one kernel call, uninitialised, outside every scope and without a Cleaner: the caller
     * returns it with {@link #freeScratch} when the call ends.
     */
    DeviceTensor scratch(DType dtype, long elements) {
        Heap heap = heapOf(dtype);
        long offset = heap.allocate(elements);
        if (offset < 0) {
            System.gc();
            offset = heap.allocate(elements);
        }
        if (offset < 0) {
            throw new IbexException(String.format(Locale.ROOT,
                    "the tornado backend's %s device heap is full: %s of scratch space needed, the largest free range"
                            + " holds %s of %s; raise -Dibex.tornado.%s",
                    heap.name(), bytes(elements, dtype), bytes(heap.largestFree(), dtype),
                    bytes(heap.capacity(), dtype), propertyOf(dtype)));
        }
        heap.dirtyBelow(offset, elements);
        return new DeviceTensor(dtype, Shape.of(elements), new Block(heap, offset, elements));
    }

    /** Returns scratch space made by {@link #scratch}. */
    void freeScratch(DeviceTensor t) {
        Block b = t.block();
        if (!b.released()) {
            b.markReleased();
            b.heap.release(b.offset, b.length);
        }
    }

    void close() {
        f32.close();
        i32.close();
        h16.close();
    }

    // ------------------------------------------------------------------ quantized weights

    /**
     * A weight in a layout the device kernels know ({@link Blockwise4Bit}, {@link RowwiseInt8}) is copied into the
     * heaps once, here (and released like an uploaded dense weight): its packed bytes into the 16-bit heap, its
     * scales and code tables into the F32 heap. A weight in any other format stays on the host, and its products
     * run through the format's reference product.
     */
    @Override
    public DeviceQuantTensor upload(QuantizedTensor weight) {
        Optional<Blockwise4Bit> blockwise = weight.layout(Blockwise4Bit.class);
        if (blockwise.isPresent()) {
            return new DeviceQuantTensor(weight, upload(weight, blockwise.get()), null);
        }
        Optional<RowwiseInt8> rowwise = weight.layout(RowwiseInt8.class);
        if (rowwise.isPresent()) {
            return new DeviceQuantTensor(weight, null, upload(weight, rowwise.get()));
        }
        return new DeviceQuantTensor(weight, null, null);
    }

    private DeviceQuantTensor.Blockwise upload(QuantizedTensor weight, Blockwise4Bit w) {
        long n = elements(weight, w.rows(), w.cols());
        long blocks = w.blockSize() > 0 ? w.blocks() : 0;
        boolean sized = w.codebook().length == 16 && w.blockSize() > 0 && w.packed().byteSize() >= Math.ceilDiv(n, 2)
                && w.absmax().byteSize() >= (w.doubleQuant() ? 1 : 4) * blocks;
        if (sized && w.doubleQuant()) {
            sized = w.nestedCodebook() != null && w.nestedCodebook().length == 256 && w.nestedBlockSize() > 0
                    && w.nestedAbsmax() != null
                    && w.nestedAbsmax().byteSize() >= 4 * Math.ceilDiv(blocks, w.nestedBlockSize());
        }
        if (!sized) {
            throw new IllegalArgumentException("a 4-bit layout of " + w.rows() + " × " + w.cols() + " needs 16 codes, "
                    + "a positive block size, ceil(rows·cols/2) packed bytes and one absmax per block, got "
                    + w.codebook().length + " codes, block size " + w.blockSize() + ", " + w.packed().byteSize()
                    + " packed bytes, " + w.absmax().byteSize() + " absmax bytes"
                    + (w.doubleQuant() ? " (double quantization: 256 nested codes and one nested absmax per nested"
                    + " block as well)" : ""));
        }
        DeviceTensor packed = uploadBytes(w.packed(), Math.ceilDiv(n, 2));
        DeviceTensor codebook = fromFloats(Shape.of(16), w.codebook());
        if (!w.doubleQuant()) {
            return new DeviceQuantTensor.Blockwise(packed, codebook, w.blockSize(), uploadFloats(w.absmax(), blocks),
                    false, null, null, 0, 0f);
        }
        return new DeviceQuantTensor.Blockwise(packed, codebook, w.blockSize(), uploadBytes(w.absmax(), blocks), true,
                fromFloats(Shape.of(256), w.nestedCodebook()),
                uploadFloats(w.nestedAbsmax(), Math.ceilDiv(blocks, w.nestedBlockSize())), w.nestedBlockSize(),
                w.offset());
    }

    private DeviceQuantTensor.Rowwise upload(QuantizedTensor weight, RowwiseInt8 w) {
        long n = elements(weight, w.rows(), w.cols());
        if (w.codes().byteSize() < n || w.rowScales().byteSize() < 4 * w.rows()) {
            throw new IllegalArgumentException("an int8 layout of " + w.rows() + " × " + w.cols() + " needs that many "
                    + "codes and one F32 scale per row, got " + w.codes().byteSize() + " and "
                    + w.rowScales().byteSize() + " bytes");
        }
        return new DeviceQuantTensor.Rowwise(uploadBytes(w.codes(), n), uploadFloats(w.rowScales(), w.rows()),
                w.threshold());
    }

    /** {@code rows·cols}, checked against the weight's shape and the kernels' int indexing. */
    private static long elements(QuantizedTensor weight, long rows, long cols) {
        if (weight.shape().rank() != 2 || weight.shape().dim(0) != rows || weight.shape().dim(1) != cols) {
            throw new IllegalArgumentException("a quantized weight of shape " + weight.shape() + " has a layout of "
                    + rows + " × " + cols);
        }
        long n = rows * cols;
        if (n > Integer.MAX_VALUE) {
            throw new IbexException("a quantized weight of " + n + " elements is too large for the tornado backend (at"
                    + " most " + Integer.MAX_VALUE + ")");
        }
        return n;
    }

    /**
     * The first {@code count} bytes of {@code src} in the 16-bit heap, two per element, little-endian: byte
     * {@code b} is the low half of element {@code b/2} when {@code b} is even; an odd count leaves the last high
     * half zero.
     */
    private DeviceTensor uploadBytes(MemorySegment src, long count) {
        DeviceTensor t = allocate(h16, DType.I16, Shape.of(Math.ceilDiv(count, 2)), true);
        t.block().heap.dirtyBelow(t.block().offset, t.block().length);
        int pairs = Math.toIntExact(count / 2);
        writeSegment(HEAP_H16, t.offset(), src, pairs);
        if (count % 2 != 0) {
            short last = (short) (src.get(ValueLayout.JAVA_BYTE, count - 1) & 0xff);
            writeSegment(HEAP_H16, t.offset() + pairs, MemorySegment.ofArray(new short[] {last}), 1);
        }
        return t;
    }

    /** The first {@code count} floats of {@code src} in the F32 heap. */
    private DeviceTensor uploadFloats(MemorySegment src, long count) {
        DeviceTensor t = allocateUninitialised(DType.F32, Shape.of(count));
        t.block().heap.dirtyBelow(t.block().offset, t.block().length);
        writeSegment(HEAP_F32, t.offset(), src, t.count());
        return t;
    }
}
