package dev.ibex.spi.backend;

/** Embedding table lookups. */
public interface EmbeddingKernels {

    /**
     * {@code out[i] = table[ids[i]]}; ids I32 {@code [n]}, table {@code [V, D]} (F32, F16 or BF16), out F32
     * {@code [n, D]}. An id outside {@code [0, V)} throws {@link IndexOutOfBoundsException} naming it.
     */
    void embedding(Tensor ids, Tensor table, Tensor out);

    /** {@code dtable[ids[i]] += dout[i]} (F32). */
    void embeddingBackward(Tensor ids, Tensor dout, Tensor dtable);
}
