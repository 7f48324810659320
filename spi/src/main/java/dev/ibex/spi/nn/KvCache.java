package dev.ibex.spi.nn;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;

/**
 * Keys and values of past tokens, preallocated for {@code capacity} tokens per sequence: one
 * {@code [batch·capacity, kvHeads·headDim]} F32 tensor per layer for keys and one for values. Keys are stored
 * after RoPE. The caller {@link #advance}s the length after each forward pass.
 */
public final class KvCache {
    private final Tensor[] keys;
    private final Tensor[] values;
    private final int batch;
    private final int capacity;
    private int length;

    private KvCache(Tensor[] keys, Tensor[] values, int batch, int capacity) {
        this.keys = keys;
        this.values = values;
        this.batch = batch;
        this.capacity = capacity;
    }

    public static KvCache allocate(Backend backend, int layers, int batch, int capacity, int kvHeads, int headDim) {
        Tensor[] k = new Tensor[layers];
        Tensor[] v = new Tensor[layers];
        Shape shape = Shape.of((long) batch * capacity, (long) kvHeads * headDim);
        for (int i = 0; i < layers; i++) {
            k[i] = backend.allocate(DType.F32, shape);
            v[i] = backend.allocate(DType.F32, shape);
        }
        return new KvCache(k, v, batch, capacity);
    }

    public Tensor keys(int layer) {
        return keys[layer];
    }

    public Tensor values(int layer) {
        return values[layer];
    }

    public int batch() {
        return batch;
    }

    /** Tokens per sequence the cache can hold (the context size it was made for). */
    public int capacity() {
        return capacity;
    }

    /** Tokens per sequence already cached. */
    public int length() {
        return length;
    }

    /** Fails with a clear message when {@code newTokens} more tokens would not fit. */
    public void checkRoom(int newTokens) {
        if (length + newTokens > capacity) {
            throw new IbexException("context exceeded: " + length + " cached + " + newTokens + " new tokens > "
                    + capacity + " (the model's context, or --max-context); shorten the prompt or max_new_tokens");
        }
    }

    /** Marks {@code n} more tokens per sequence as cached. */
    public void advance(int n) {
        checkRoom(n);
        length += n;
    }

    /** Forgets every cached token (the memory is reused). */
    public void reset() {
        length = 0;
    }
}
