package dev.ibex.backend.tornado;

/**
 * A range of one device heap: the storage of a tensor and of every reshaped view of it. Released when its
 * allocation scope closes or, for a block allocated outside scopes, when no tensor refers to it any more.
 */
final class Block {
    final Heap heap;
    final int offset;
    final int length;
    private volatile boolean released;
    /**
     * For I32 blocks written only from the host: a copy of their contents. Kernels never write I32 tensors, so ids,
     * labels and positions can be checked on the host (out-of-range ids throw before any launch) without reading
     * them back. Null when unknown.
     */
    private volatile int[] hostInts;

    Block(Heap heap, long offset, long length) {
        this.heap = heap;
        this.offset = Math.toIntExact(offset);
        this.length = Math.toIntExact(length);
    }

    boolean released() {
        return released;
    }

    void markReleased() {
        released = true;
        hostInts = null;
    }

    int[] hostInts() {
        return hostInts;
    }

    void hostInts(int[] values) {
        hostInts = values;
    }
}
