package dev.ibex.arch.falcon;

import dev.ibex.spi.nn.Graph;
import dev.ibex.spi.nn.Linear;
import dev.ibex.spi.nn.QkvProjection;
import dev.ibex.spi.nn.Var;

/**
 * Falcon's fused {@code query_key_value} projection, split as transformers' {@code FalconAttention._split_heads}:
 * <ul>
 *   <li>new decoder architecture (40B/180B): the output is {@code kvHeads} groups of {@code heads/kvHeads} query
 *       heads, then one key head, then one value head;</li>
 *   <li>multi-query (7B): all query heads, then one key head, then one value head;</li>
 *   <li>otherwise (RW): per head {@code [q, k, v]} interleaved.</li>
 * </ul>
 * Each part is gathered as column blocks, so gradients flow back into the fused projection (and its LoRA).
 */
record FusedQkv(Linear fused, int[] qStarts, int qWidth, int[] kStarts, int[] vStarts, int kvWidth)
        implements QkvProjection {

    static FusedQkv of(Linear fused, FalconConfig c) {
        int hd = c.headDim();
        if (c.newArchitecture()) {
            int perGroup = c.heads() / c.kvHeads();
            int groupWidth = (perGroup + 2) * hd;
            int[] q = new int[c.kvHeads()];
            int[] k = new int[c.kvHeads()];
            int[] v = new int[c.kvHeads()];
            for (int g = 0; g < c.kvHeads(); g++) {
                q[g] = g * groupWidth;
                k[g] = g * groupWidth + perGroup * hd;
                v[g] = k[g] + hd;
            }
            return new FusedQkv(fused, q, perGroup * hd, k, v, hd);
        }
        if (c.multiQuery()) {
            return new FusedQkv(fused, new int[] {0}, c.heads() * hd, new int[] {c.heads() * hd},
                    new int[] {(c.heads() + 1) * hd}, hd);
        }
        int[] q = new int[c.heads()];
        int[] k = new int[c.heads()];
        int[] v = new int[c.heads()];
        for (int h = 0; h < c.heads(); h++) {
            q[h] = 3 * h * hd;
            k[h] = q[h] + hd;
            v[h] = k[h] + hd;
        }
        return new FusedQkv(fused, q, hd, k, v, hd);
    }

    @Override
    public Qkv project(Graph g, Var x) {
        Var all = fused.forward(g, x);
        return new Qkv(g.columnBlocks(all, qStarts, qWidth), g.columnBlocks(all, kStarts, kvWidth),
                g.columnBlocks(all, vStarts, kvWidth));
    }
}
