package dev.ibex.spi.nn;

import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.Shape;

/**
 * Learned absolute position embeddings computed from the attention mask, as OPT does: position ids are
 * {@code cumsum(mask)·mask - 1} over all tokens so far (padding gets -1), the new tokens' ids are looked up at
 * {@code id + offset} (OPT's offset is 2, so padding reads row 1).
 *
 * @param table  {@code [maxPositions + offset, hidden]}
 * @param offset added to every position id
 */
public record LearnedPositions(Var table, int offset) {

    /** The position embeddings of the new tokens of {@code in}, {@code [rows, hidden]}. */
    public Var forward(Graph g, Batch in) {
        int past = in.past();
        int[] ids = new int[in.rows()];
        for (int b = 0; b < in.batch(); b++) {
            int[] mask = in.mask() == null ? null : in.mask()[b];
            int running = 0;
            for (int t = 0; t < past + in.seqLen(); t++) {
                int m = mask == null ? 1 : mask[t];
                running += m;
                if (t >= past) {
                    ids[b * in.seqLen() + (t - past)] = running * m - 1 + offset;
                }
            }
        }
        Tensor rows = g.backend().fromInts(Shape.of(ids.length), ids);
        return g.embedding(rows, table);
    }
}
