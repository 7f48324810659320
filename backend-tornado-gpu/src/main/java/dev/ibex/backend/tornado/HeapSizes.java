package dev.ibex.backend.tornado;

import dev.ibex.spi.IbexException;
import java.util.Locale;

/**
 * The element capacities of the three device heaps, from system properties or from the device's memory.
 *
 * <p>Properties (bytes, with an optional k/m/g suffix): {@code ibex.tornado.f32Heap} (activations, gradients,
 * KV caches, F32 weights), {@code ibex.tornado.f16Heap} (F16/BF16 weights), {@code ibex.tornado.i32Heap} (ids,
 * positions, labels, masks). Defaults share out 90% of the smaller of the device's memory and TornadoVM's own cap
 * {@code tornado.device.memory} (4GB unless set): 45% F32, 45% 16-bit, the rest (at most 256 MiB) I32. Each heap is
 * also kept within the device's largest single allocation and within 2³¹ elements (TornadoVM arrays are indexed by
 * int). The host holds a mirror of each heap (TornadoVM arrays live on the host too), so the same memory is taken
 * in RAM.
 *
 * @param f32 F32 elements
 * @param h16 16-bit elements
 * @param i32 I32 elements
 */
record HeapSizes(int f32, int h16, int i32) {
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 1024;

    static HeapSizes forDevice(long globalMemory, long maxAlloc) {
        long cap = parse("tornado.device.memory", System.getProperty("tornado.device.memory", "4GB"));
        long budget = (long) (0.9 * Math.min(globalMemory > 0 ? globalMemory : cap, cap));
        long limit = maxAlloc > 0 ? maxAlloc : budget;
        long i32Bytes = bytes("ibex.tornado.i32Heap", Math.min(256L << 20, budget / 10));
        long f32Bytes = bytes("ibex.tornado.f32Heap", (long) (0.45 * budget));
        long h16Bytes = bytes("ibex.tornado.f16Heap", (long) (0.45 * budget));
        return new HeapSizes(elements("f32Heap", f32Bytes, 4, limit), elements("f16Heap", h16Bytes, 2, limit),
                elements("i32Heap", i32Bytes, 4, limit));
    }

    private static int elements(String name, long bytes, int size, long limit) {
        if (bytes > limit) {
            throw new IbexException(String.format(Locale.ROOT, "ibex.tornado.%s = %d bytes exceeds the device's largest"
                    + " single allocation (%d bytes)", name, bytes, limit));
        }
        return (int) Math.max(1024, Math.min(MAX_ELEMENTS, bytes / size));
    }

    private static long bytes(String property, long fallback) {
        String v = System.getProperty(property);
        return v == null ? fallback : parse(property, v);
    }

    /** "256m", "2g", "4GB", "1048576". */
    static long parse(String property, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.endsWith("b")) {
            v = v.substring(0, v.length() - 1);
        }
        long unit = 1;
        if (v.endsWith("k")) {
            unit = 1L << 10;
        } else if (v.endsWith("m")) {
            unit = 1L << 20;
        } else if (v.endsWith("g")) {
            unit = 1L << 30;
        } else if (v.endsWith("t")) {
            unit = 1L << 40;
        }
        if (unit != 1) {
            v = v.substring(0, v.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(v.trim()), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IbexException(property + " = \"" + value + "\" is not a size (examples: 512m, 2g, 1048576)");
        }
    }
}
