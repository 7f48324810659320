package dev.ibex.spi.conformance;

import static dev.ibex.spi.conformance.ReferenceBackend.floats;
import static dev.ibex.spi.conformance.ReferenceBackend.ints;
import static dev.ibex.spi.conformance.ReferenceBackend.store;

import dev.ibex.spi.backend.EmbeddingKernels;
import dev.ibex.spi.backend.Tensor;

/** Embedding lookups: row copies (converted to F32) and their scatter-add gradient. */
final class ReferenceEmbedding implements EmbeddingKernels {

    @Override
    public void embedding(Tensor ids, Tensor table, Tensor out) {
        int[] id = ints(ids);
        int vocab = Math.toIntExact(table.shape().dim(0));
        int dim = Math.toIntExact(table.shape().dim(1));
        float[] t = floats(table);
        float[] o = new float[id.length * dim];
        for (int i = 0; i < id.length; i++) {
            checkId(id, i, vocab);
            System.arraycopy(t, id[i] * dim, o, i * dim, dim);
        }
        store(out, o);
    }

    @Override
    public void embeddingBackward(Tensor ids, Tensor dout, Tensor dtable) {
        int[] id = ints(ids);
        int vocab = Math.toIntExact(dtable.shape().dim(0));
        int dim = Math.toIntExact(dtable.shape().dim(1));
        float[] g = floats(dout);
        float[] acc = floats(dtable);
        for (int i = 0; i < id.length; i++) {
            checkId(id, i, vocab);
            for (int d = 0; d < dim; d++) {
                acc[id[i] * dim + d] += g[i * dim + d];
            }
        }
        store(dtable, acc);
    }

    static void checkId(int[] id, int i, int vocab) {
        if (id[i] < 0 || id[i] >= vocab) {
            throw new IndexOutOfBoundsException("token id " + id[i] + " at position " + i
                    + " is outside the embedding table's [0, " + vocab + ")");
        }
    }
}
