package dev.ibex.backend.tornado;

import dev.ibex.spi.IbexException;
import java.util.Locale;

/**
 * The element capacities of the three device heaps, from system properties or from the device's memory.
 *
 * <p>Properties (bytes, with an optional k/m/g suffix): {@code ibex.tornado.f32Heap} (activations, gradients,
 * KV caches, F32 weights, quantization scales), {@code ibex.tornado.f16Heap} (F16/BF16 weights, packed NF4/FP4 and
 * int8 codes), {@code ibex.tornado.i32Heap} (ids, positions, labels, masks). Defaults share out a budget of 90% of the device's memory (or of
 * {@code tornado.device.memory} when the user set that lower): 45% F32, 45% 16-bit, the rest (at most 256 MiB) I32.
 * On a CPU device (PoCL) the budget is at most 2 GiB: its "device" memory is the machine's RAM, which the host
 * mirrors of the heaps take a second time. Default heaps are also kept within the device's largest single
 * allocation (a quarter of the memory on some OpenCL drivers) and 2³¹ elements (TornadoVM arrays are indexed by
 * int); a heap set explicitly beyond the largest allocation is an error.
 *
 * @param f32 F32 elements
 * @param h16 16-bit elements
 * @param i32 I32 elements
 */
record HeapSizes(int f32, int h16, int i32) {
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 1024;
    private static final long CPU_DEVICE_BUDGET = 2L << 30;

    /**
     * @param userCap {@code tornado.device.memory} as the user set it, or -1 when unset (the backend then lifts
     *                TornadoVM's own 4 GB default, see {@link DeviceProbe})
     */
    static HeapSizes forDevice(long globalMemory, long maxAlloc, boolean cpuDevice, long userCap) {
        long memory = globalMemory > 0 ? globalMemory : 4L << 30;
        long budget = (long) (0.9 * (userCap > 0 ? Math.min(memory, userCap) : memory));
        if (cpuDevice) {
            budget = Math.min(budget, CPU_DEVICE_BUDGET);
        }
        long limit = maxAlloc > 0 ? maxAlloc : budget;
        return new HeapSizes(
                elements("f32Heap", 4, (long) (0.45 * budget), limit),
                elements("f16Heap", 2, (long) (0.45 * budget), limit),
                elements("i32Heap", 4, Math.min(256L << 20, budget / 10), limit));
    }

    private static int elements(String name, int size, long fallback, long limit) {
        String value = System.getProperty("ibex.tornado." + name);
        long bytes;
        if (value == null) {
            bytes = Math.min(fallback, limit);
        } else {
            bytes = parse("ibex.tornado." + name, value);
            if (bytes > limit) {
                throw new IbexException(String.format(Locale.ROOT, "ibex.tornado.%s = %d bytes exceeds the device's"
                        + " largest single allocation (%d bytes)", name, bytes, limit));
            }
        }
        return (int) Math.max(1024, Math.min(MAX_ELEMENTS, bytes / size));
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
