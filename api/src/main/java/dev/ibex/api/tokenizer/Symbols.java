package dev.ibex.api.tokenizer;

import java.util.Arrays;

/**
 * One word during BPE: a doubly linked list of symbols in arrays, merged in rank order with a min-heap, the same
 * algorithm as the Rust crate's {@code Word::merge_all} so that ties and stale heap entries resolve identically.
 */
final class Symbols {
    private int[] id;
    private int[] prev;
    private int[] next;
    /** False once a symbol has been merged into its left neighbour. */
    private boolean[] alive;
    private int size;

    Symbols(int capacity) {
        id = new int[capacity];
        prev = new int[capacity];
        next = new int[capacity];
        alive = new boolean[capacity];
    }

    void add(int symbol) {
        if (size == id.length) {
            int capacity = size * 2;
            id = Arrays.copyOf(id, capacity);
            prev = Arrays.copyOf(prev, capacity);
            next = Arrays.copyOf(next, capacity);
            alive = Arrays.copyOf(alive, capacity);
        }
        id[size] = symbol;
        prev[size] = size - 1;
        next[size] = -1;
        alive[size] = true;
        if (size > 0) {
            next[size - 1] = size;
        }
        size++;
    }

    /** Merges until no adjacent pair has a merge; returns the ids left, in order. */
    int[] mergeAll(Bpe.PairRanks ranks, int[] mergedId) {
        if (size < 2) {
            return Arrays.copyOf(id, size);
        }
        // Heap entries are rank << 32 | position: the smallest rank first, then the leftmost position.
        LongHeap queue = new LongHeap(size);
        for (int i = 0; i + 1 < size; i++) {
            int rank = ranks.get(id[i], id[i + 1]);
            if (rank >= 0) {
                queue.push(((long) rank << 32) | i);
            }
        }
        while (!queue.isEmpty()) {
            long top = queue.pop();
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            if (!alive[pos] || next[pos] == -1) {
                continue;
            }
            int right = next[pos];
            // A stale entry: the pair at pos changed since it was queued.
            int currentRank = ranks.get(id[pos], id[right]);
            if (currentRank < 0 || mergedId[currentRank] != mergedId[rank]) {
                continue;
            }
            id[pos] = mergedId[rank];
            next[pos] = next[right];
            alive[right] = false;
            if (next[right] != -1) {
                prev[next[right]] = pos;
            }
            if (prev[pos] >= 0) {
                int r = ranks.get(id[prev[pos]], id[pos]);
                if (r >= 0) {
                    queue.push(((long) r << 32) | prev[pos]);
                }
            }
            if (next[pos] != -1) {
                int r = ranks.get(id[pos], id[next[pos]]);
                if (r >= 0) {
                    queue.push(((long) r << 32) | pos);
                }
            }
        }
        int count = 0;
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            if (alive[i]) {
                out[count++] = id[i];
            }
        }
        return Arrays.copyOf(out, count);
    }

    /** A binary min-heap of longs. */
    private static final class LongHeap {
        private long[] heap;
        private int size;

        LongHeap(int capacity) {
            heap = new long[Math.max(capacity, 4)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long value) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (heap[parent] <= value) {
                    break;
                }
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = value;
        }

        long pop() {
            long result = heap[0];
            long last = heap[--size];
            int i = 0;
            int half = size >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                if (child + 1 < size && heap[child + 1] < heap[child]) {
                    child++;
                }
                if (last <= heap[child]) {
                    break;
                }
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = last;
            return result;
        }
    }
}
