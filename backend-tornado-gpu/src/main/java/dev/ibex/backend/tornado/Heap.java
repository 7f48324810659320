package dev.ibex.backend.tornado;

import java.util.Map;
import java.util.TreeMap;

/**
 * Allocation of element ranges in one device heap: first fit over a free list kept by offset, with neighbours
 * merged on release. Blocks start on 16-element boundaries (64 bytes for F32), so rows of different tensors do not
 * share cache lines.
 *
 * <p>The heap starts as zeros on the device. Memory at or past the high-water mark has never been handed out and
 * is still zero; {@link #dirtyBelow} tells the caller which part of a new block needs zeroing. Synchronised: tensors
 * outside allocation scopes are released by a {@link java.lang.ref.Cleaner} thread.
 */
final class Heap {
    private static final int ALIGN = 16;

    private final String name;
    private final long capacity;
    private final TreeMap<Long, Long> free = new TreeMap<>();
    private long highWater;
    private long used;
    private boolean closed;

    Heap(String name, long capacity) {
        this.name = name;
        this.capacity = capacity;
        if (capacity > 0) {
            free.put(0L, capacity);
        }
    }

    String name() {
        return name;
    }

    long capacity() {
        return capacity;
    }

    /** The offset of a new block of {@code length} elements, or -1 when no free range is large enough. */
    synchronized long allocate(long length) {
        long size = Math.max(ALIGN, Math.ceilDiv(length, ALIGN) * ALIGN);
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            if (e.getValue() >= size) {
                long offset = e.getKey();
                free.remove(offset);
                if (e.getValue() > size) {
                    free.put(offset + size, e.getValue() - size);
                }
                used += size;
                return offset;
            }
        }
        return -1;
    }

    /**
     * How much of the block {@code [offset, offset + length)} may hold old values and must be zeroed (a prefix of
     * it), and marks the block as handed out.
     */
    synchronized long dirtyBelow(long offset, long length) {
        long dirty = Math.max(0, Math.min(offset + length, highWater) - offset);
        highWater = Math.max(highWater, offset + length);
        return dirty;
    }

    /** Returns a block; a closed heap ignores it (its device memory is gone). */
    synchronized void release(long offset, long length) {
        if (closed) {
            return;
        }
        long size = Math.max(ALIGN, Math.ceilDiv(length, ALIGN) * ALIGN);
        used -= size;
        long start = offset;
        long end = offset + size;
        Map.Entry<Long, Long> before = free.floorEntry(offset);
        if (before != null && before.getKey() + before.getValue() == start) {
            start = before.getKey();
            free.remove(before.getKey());
        }
        Long after = free.containsKey(end) ? free.remove(end) : null;
        if (after != null) {
            end += after;
        }
        free.put(start, end - start);
    }

    synchronized boolean closed() {
        return closed;
    }

    synchronized long used() {
        return used;
    }

    /** The largest block that could be allocated now. */
    synchronized long largestFree() {
        return free.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    synchronized void close() {
        closed = true;
        free.clear();
    }
}
