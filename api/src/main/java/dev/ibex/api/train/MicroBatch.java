package dev.ibex.api.train;

import dev.ibex.api.data.TokenizedExample;
import dev.ibex.spi.chat.EncodedExample;
import java.util.Arrays;
import java.util.List;

/**
 * Examples padded on the right to one length: ids with the pad id, labels with -100, mask with 0; and the shifted
 * targets of the causal-LM loss ({@code targets[b·T + t] = labels[b][t + 1]}, -100 at the last position), exactly
 * as transformers shifts them.
 *
 * @param ids      {@code [batch][seqLen]}
 * @param mask     {@code [batch][seqLen]}, or null when nothing is padded
 * @param targets  {@code [batch·seqLen]}
 * @param counted  targets that are not -100
 * @param tokens   real (unpadded) tokens
 */
public record MicroBatch(int[][] ids, int[][] mask, int[] targets, int counted, int tokens) {

    public static MicroBatch collate(List<TokenizedExample> examples, int padId) {
        int batch = examples.size();
        int len = examples.stream().mapToInt(e -> e.inputIds().length).max().orElseThrow();
        int[][] ids = new int[batch][len];
        int[][] mask = new int[batch][len];
        int[] targets = new int[batch * len];
        Arrays.fill(targets, EncodedExample.IGNORE);
        boolean padded = false;
        int counted = 0;
        int tokens = 0;
        for (int b = 0; b < batch; b++) {
            TokenizedExample e = examples.get(b);
            int n = e.inputIds().length;
            Arrays.fill(ids[b], padId);
            System.arraycopy(e.inputIds(), 0, ids[b], 0, n);
            System.arraycopy(e.attentionMask(), 0, mask[b], 0, n);
            for (int t = 0; t < len; t++) {
                padded |= mask[b][t] == 0;
                tokens += mask[b][t];
            }
            for (int t = 0; t + 1 < n; t++) {
                int label = e.labels()[t + 1];
                targets[b * len + t] = label;
                if (label != EncodedExample.IGNORE) {
                    counted++;
                }
            }
        }
        return new MicroBatch(ids, padded ? mask : null, targets, counted, tokens);
    }

    public int batch() {
        return ids.length;
    }

    public int seqLen() {
        return ids[0].length;
    }
}
