package dev.ibex.backend.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * The copies between the device heaps and the staging arrays the host transfers: {@code ip[0]} is the heap
 * offset, {@code ip[1]} the element count; element {@code i} moves between {@code heap[ip[0] + i]} and
 * {@code stage[i]}.
 */
final class Staging {
    private Staging() {
    }

    /**
     * The first graph's task: what matters is that graph's upload of the heaps, but a graph needs a task; this one
     * never writes (no work-item index is negative).
     */
    static void touch(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k, IntArray ip,
                      FloatArray fp) {
        int i = c.globalIdx;
        if (i < 0) {
            f32.set(0, 0f);
        }
    }

    static void outF32(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k, IntArray ip,
                       FloatArray fp, FloatArray stage) {
        int i = c.globalIdx;
        if (i < ip.get(1)) {
            stage.set(i, f32.get(ip.get(0) + i));
        }
    }

    static void inF32(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k, IntArray ip,
                      FloatArray fp, FloatArray stage) {
        int i = c.globalIdx;
        if (i < ip.get(1)) {
            f32.set(ip.get(0) + i, stage.get(i));
        }
    }

    static void outI32(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k, IntArray ip,
                       FloatArray fp, IntArray stage) {
        int i = c.globalIdx;
        if (i < ip.get(1)) {
            stage.set(i, i32.get(ip.get(0) + i));
        }
    }

    static void inI32(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k, IntArray ip,
                      FloatArray fp, IntArray stage) {
        int i = c.globalIdx;
        if (i < ip.get(1)) {
            i32.set(ip.get(0) + i, stage.get(i));
        }
    }

    static void outH16(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k, IntArray ip,
                       FloatArray fp, ShortArray stage) {
        int i = c.globalIdx;
        if (i < ip.get(1)) {
            stage.set(i, h16.get(ip.get(0) + i));
        }
    }

    static void inH16(KernelContext c, FloatArray f32, IntArray i32, ShortArray h16, FloatArray k, IntArray ip,
                      FloatArray fp, ShortArray stage) {
        int i = c.globalIdx;
        if (i < ip.get(1)) {
            h16.set(ip.get(0) + i, stage.get(i));
        }
    }
}
