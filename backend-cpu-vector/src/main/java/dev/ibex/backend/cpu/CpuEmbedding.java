package dev.ibex.backend.cpu;

import static dev.ibex.backend.cpu.Dense.L;
import static dev.ibex.backend.cpu.Dense.S;
import static dev.ibex.backend.cpu.Dense.get;
import static dev.ibex.backend.cpu.Dense.load;
import static dev.ibex.backend.cpu.Dense.set;
import static dev.ibex.backend.cpu.Dense.store;

import dev.ibex.spi.backend.EmbeddingKernels;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Embedding lookups: row copies (F16/BF16 rows widened on the fly) split by ids across the pool; the gradient
 * scatter-adds rows, split by columns so that threads never write the same element even when ids repeat.
 */
final class CpuEmbedding implements EmbeddingKernels {
    /** Elements per chunk. */
    private static final int GRAIN = 1 << 14;

    private final WorkerPool pool;

    CpuEmbedding(WorkerPool pool) {
        this.pool = pool;
    }

    /** The ids as ints, every one checked against the vocabulary before any work starts. */
    private static int[] ids(Tensor ids, int vocab) {
        int[] id = Dense.i32(ids, "ids").toArray(Dense.I32);
        for (int i = 0; i < id.length; i++) {
            if (id[i] < 0 || id[i] >= vocab) {
                throw new IndexOutOfBoundsException("token id " + id[i] + " at position " + i
                        + " is outside the embedding table's [0, " + vocab + ")");
            }
        }
        return id;
    }

    public void embedding(Tensor ids, Tensor table, Tensor out) {
        CpuTensor t = CpuTensor.of(table);
        if (t.shape().rank() != 2) {
            throw new IllegalArgumentException("embedding table must be [vocab, dim], got " + t.shape());
        }
        int vocab = t.shape().intDim(0);
        int dim = t.shape().intDim(1);
        int[] id = ids(ids, vocab);
        CpuTensor o = CpuTensor.f32(out, "out");
        if (o.numel() != (long) id.length * dim) {
            throw new IllegalArgumentException("embedding: out " + o.shape() + " is not [" + id.length + ", " + dim
                    + "]");
        }
        MemorySegment src = t.data();
        MemorySegment dst = o.data();
        pool.range(id.length, Math.max(1, GRAIN / Math.max(1, dim)), (from, to) -> {
            if (t.dtype() == DType.F32) {
                for (int i = from; i < to; i++) {
                    MemorySegment.copy(src, (long) id[i] * dim * 4, dst, (long) i * dim * 4, dim * 4L);
                }
            } else {
                float[] row = new float[dim];
                for (int i = from; i < to; i++) {
                    Dense.readRow(t, (long) id[i] * dim, row, 0, dim);
                    MemorySegment.copy(row, 0, dst, Dense.F32, (long) i * dim * 4, dim);
                }
            }
        });
    }

    public void embeddingBackward(Tensor ids, Tensor dout, Tensor dtable) {
        CpuTensor dt = CpuTensor.f32(dtable, "dtable");
        int vocab = dt.rows();
        int dim = dt.cols();
        int[] id = ids(ids, vocab);
        if (dout.numel() != (long) id.length * dim) {
            throw new IllegalArgumentException("embeddingBackward: dout " + dout.shape() + " is not [" + id.length
                    + ", " + dim + "]");
        }
        MemorySegment g = Dense.f32(dout, "dout");
        MemorySegment acc = dt.data();
        // Threads own column ranges, so repeated ids never race.
        pool.range(dim, Math.max(L, GRAIN / Math.max(1, id.length)), (c0, c1) -> {
            for (int i = 0; i < id.length; i++) {
                int src = i * dim;
                int dst = id[i] * dim;
                int c = c0;
                for (int end = c0 + S.loopBound(c1 - c0); c < end; c += L) {
                    store(load(acc, dst + c).add(load(g, src + c)), acc, dst + c);
                }
                for (; c < c1; c++) {
                    set(acc, dst + c, get(acc, dst + c) + get(g, src + c));
                }
            }
        });
    }
}
