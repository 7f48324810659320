package dev.ibex.api.generate;

import dev.ibex.api.model.Model;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.backend.AllocationScope;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.nn.Batch;
import dev.ibex.spi.nn.Graph;
import dev.ibex.spi.nn.KvCache;
import dev.ibex.spi.nn.Var;
import dev.ibex.spi.tensor.Shape;

/** Builds {@link Batch}es from host arrays and runs full-sequence forward passes. */
public final class Forward {
    private Forward() {
    }

    /**
     * A batch of {@code ids} ({@code [batch][seqLen]}) on {@code backend}.
     *
     * @param mask      the attention mask over past and new tokens ({@code [batch][past + seqLen]}), or null for all
     *                  ones
     * @param positions position ids {@code [batch·seqLen]}
     * @param cache     the KV cache, or null
     * @param logitRows rows that need logits, or null for all
     */
    public static Batch batch(Backend backend, int[][] ids, int[][] mask, int[] positions, KvCache cache,
                              int[] logitRows, boolean checkpointLayers) {
        int b = ids.length;
        int t = ids[0].length;
        int[] flat = new int[b * t];
        for (int i = 0; i < b; i++) {
            if (ids[i].length != t) {
                throw new IllegalArgumentException("rows of a batch must have the same length");
            }
            System.arraycopy(ids[i], 0, flat, i * t, t);
        }
        Tensor keyMask = null;
        if (mask != null) {
            int capacity = cache == null ? t : cache.capacity();
            int[] km = new int[b * capacity];
            for (int i = 0; i < b; i++) {
                System.arraycopy(mask[i], 0, km, i * capacity, mask[i].length);
            }
            keyMask = backend.fromInts(Shape.of(b, capacity), km);
        }
        return new Batch(b, t, backend.fromInts(Shape.of(flat.length), flat),
                backend.fromInts(Shape.of(positions.length), positions), keyMask, mask, cache,
                logitRows == null ? null : backend.fromInts(Shape.of(logitRows.length), logitRows), checkpointLayers);
    }

    /** Positions {@code past .. past+seqLen-1} for every row (training, and unpadded decoding). */
    public static int[] arangePositions(int batch, int seqLen, int past) {
        int[] p = new int[batch * seqLen];
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < seqLen; j++) {
                p[i * seqLen + j] = past + j;
            }
        }
        return p;
    }

    /**
     * Logits {@code [batch·seqLen·vocab]} of a full-sequence pass over {@code ids}, with no cache and no padding.
     */
    public static float[] logits(Model model, int[][] ids) {
        return logits(model, ids, null);
    }

    /**
     * Logits of a full-sequence pass over a padded batch: {@code mask} ({@code [batch][seqLen]}, 1 = real token) hides
     * padded keys; position ids are {@code 0..seqLen-1} whatever the mask, as transformers' LLaMA-family forward does
     * (OPT derives its own from the mask).
     */
    public static float[] logits(Model model, int[][] ids, int[][] mask) {
        int vocab = model.info().vocabSize();
        for (int[] row : ids) {
            for (int id : row) {
                if (id < 0 || id >= vocab) {
                    throw new IbexException("token id " + id + " is outside the vocabulary [0, " + vocab + ")");
                }
            }
        }
        if (ids.length == 0 || ids[0].length == 0) {
            throw new IbexException("no input ids");
        }
        if (ids[0].length > model.info().maxPositions()) {
            throw new IbexException(ids[0].length + " tokens exceed the model's context of " + model.info().maxPositions());
        }
        Backend backend = model.backend();
        try (AllocationScope ignored = backend.openScope()) {
            Batch in = batch(backend, ids, mask, arangePositions(ids.length, ids[0].length, 0), null, null, false);
            Var logits = model.lm().forward(Graph.inference(backend), in);
            return backend.toFloats(logits.value());
        }
    }
}
