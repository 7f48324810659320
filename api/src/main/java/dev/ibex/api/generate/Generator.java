package dev.ibex.api.generate;

import dev.ibex.api.model.Model;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.nn.ModelInfo;
import dev.ibex.spi.backend.AllocationScope;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.nn.Batch;
import dev.ibex.spi.nn.Graph;
import dev.ibex.spi.nn.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Generates continuations for a batch of prompts: prompts are left-padded to one length and prefilled in one
 * pass into a KV cache preallocated for prompt + new tokens (bounded by the context), then every sequence gets one
 * token per step until it ends. Position ids follow transformers' rule for padded batches
 * ({@code cumsum(mask) - 1}, padding at 1).
 */
public final class Generator {
    private final Model model;
    private final int contextLimit;
    private final java.util.Set<Integer> stopIds;

    /**
     * @param contextLimit tokens per sequence the cache may hold (0 = the model's {@code max_position_embeddings})
     */
    public Generator(Model model, int contextLimit) {
        this(model, contextLimit, java.util.Set.copyOf(model.info().eosTokenIds()));
    }

    /** @param stopIds token ids that end a sequence (the model's EOS and, e.g., generation_config's extra ones) */
    public Generator(Model model, int contextLimit, java.util.Set<Integer> stopIds) {
        this.model = model;
        int max = model.info().maxPositions();
        this.contextLimit = contextLimit > 0 ? Math.min(contextLimit, max) : max;
        this.stopIds = java.util.Set.copyOf(stopIds);
    }

    /**
     * @param decoders a new {@link TextDecoder} per sequence (for text, streaming and stop strings), or null
     * @param listener receives every token as it is picked, or null
     */
    public Generation generate(List<int[]> prompts, SamplingParams params, Supplier<TextDecoder> decoders,
                               TokenListener listener) {
        if (prompts.isEmpty()) {
            throw new IbexException("nothing to generate: no prompt");
        }
        ModelInfo info = model.info();
        int batch = prompts.size();
        int longest = 0;
        for (int[] p : prompts) {
            if (p.length == 0) {
                throw new IbexException("a prompt is empty; give at least one token");
            }
            for (int id : p) {
                if (id < 0 || id >= info.vocabSize()) {
                    throw new IbexException("prompt token id " + id + " is outside the vocabulary [0, " + info.vocabSize() + ")");
                }
            }
            longest = Math.max(longest, p.length);
        }
        if (longest >= contextLimit) {
            throw new IbexException("the prompt has " + longest + " tokens, which leaves no room in a context of "
                    + contextLimit + " tokens; shorten it");
        }
        int capacity = Math.min(contextLimit, longest + params.maxNewTokens());
        int pad = info.padTokenId() >= 0 ? info.padTokenId() : info.eosTokenIds().isEmpty() ? 0 : info.eosTokenIds().getFirst();
        Backend backend = model.backend();
        KvCache cache = KvCache.allocate(backend, info.layers(), batch, capacity, info.kvHeads(), info.headDim());

        int[][] mask = new int[batch][capacity];
        int[][] ids = new int[batch][longest];
        // +1: one token is still picked from the last logits after the cache fills (then the sequence ends, CONTEXT)
        int[][] seen = new int[batch][capacity + 1];
        int[] seenCount = new int[batch];
        int[] nextPosition = new int[batch];
        for (int b = 0; b < batch; b++) {
            int[] p = prompts.get(b);
            int offset = longest - p.length;
            Arrays.fill(ids[b], 0, offset, pad);
            System.arraycopy(p, 0, ids[b], offset, p.length);
            Arrays.fill(mask[b], offset, longest, 1);
            // transformers' repetition penalty sees the padded row, pad ids included; so do we, for the same tokens
            System.arraycopy(ids[b], 0, seen[b], 0, longest);
            seenCount[b] = longest;
            nextPosition[b] = p.length;
        }
        int[] positions = new int[batch * longest];
        for (int b = 0; b < batch; b++) {
            int running = 0;
            for (int t = 0; t < longest; t++) {
                running += mask[b][t];
                positions[b * longest + t] = mask[b][t] == 1 ? running - 1 : 1;
            }
        }
        int[] lastRows = new int[batch];
        for (int b = 0; b < batch; b++) {
            lastRows[b] = b * longest + longest - 1;
        }
        boolean padded = prompts.stream().anyMatch(p -> p.length != prompts.getFirst().length);
        float[] logits = step(backend, ids, padded ? prefix(mask, longest) : null, positions, cache, lastRows);

        Sampler[] samplers = new Sampler[batch];
        TextDecoder[] text = new TextDecoder[batch];
        StringBuilder[] texts = new StringBuilder[batch];
        List<List<Integer>> out = new ArrayList<>();
        Generation.FinishReason[] reasons = new Generation.FinishReason[batch];
        for (int b = 0; b < batch; b++) {
            samplers[b] = new Sampler(new SamplingParams(params.maxNewTokens(), params.temperature(), params.topK(),
                    params.topP(), params.repetitionPenalty(), params.seed() + b, params.stopStrings(),
                    params.stopAtEos()));
            text[b] = decoders == null ? null : decoders.get();
            texts[b] = new StringBuilder();
            out.add(new ArrayList<>());
        }
        int vocab = info.vocabSize();
        float[] row = new float[vocab];
        int[][] next = new int[batch][1];
        for (int step = 0; step < params.maxNewTokens(); step++) {
            boolean anyActive = false;
            for (int b = 0; b < batch; b++) {
                if (reasons[b] != null) {
                    next[b][0] = pad;
                    continue;
                }
                System.arraycopy(logits, b * vocab, row, 0, vocab);
                int token = samplers[b].next(row, seen[b], seenCount[b]);
                next[b][0] = token;
                out.get(b).add(token);
                seen[b][seenCount[b]++] = token;
                String piece = text[b] == null ? null : text[b].append(token);
                if (piece != null) {
                    texts[b].append(piece);
                }
                if (listener != null) {
                    listener.onToken(b, token, piece);
                }
                if (params.stopAtEos() && stopIds.contains(token)) {
                    reasons[b] = Generation.FinishReason.EOS;
                } else if (piece != null && cutAtStop(texts[b], params.stopStrings())) {
                    reasons[b] = Generation.FinishReason.STOP_STRING;
                } else if (out.get(b).size() == params.maxNewTokens()) {
                    reasons[b] = Generation.FinishReason.MAX_TOKENS;
                } else {
                    anyActive = true;
                }
            }
            if (!anyActive) {
                break;
            }
            if (cache.length() >= capacity) {
                for (int b = 0; b < batch; b++) {
                    if (reasons[b] == null) {
                        reasons[b] = Generation.FinishReason.CONTEXT;
                    }
                }
                break;
            }
            int past = cache.length();
            int[] pos = new int[batch];
            for (int b = 0; b < batch; b++) {
                mask[b][past] = 1;
                pos[b] = nextPosition[b]++;
            }
            logits = step(backend, next, padded ? prefix(mask, past + 1) : null, pos, cache, null);
        }
        List<int[]> tokens = new ArrayList<>();
        List<String> strings = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            tokens.add(out.get(b).stream().mapToInt(Integer::intValue).toArray());
            if (text[b] != null && reasons[b] != Generation.FinishReason.STOP_STRING) {
                String rest = text[b].finish();
                texts[b].append(rest);
                if (listener != null && !rest.isEmpty()) {
                    listener.onToken(b, -1, rest);
                }
            }
            strings.add(text[b] == null ? null : texts[b].toString());
            if (reasons[b] == null) {
                reasons[b] = Generation.FinishReason.MAX_TOKENS;
            }
        }
        return new Generation(tokens, strings, List.of(reasons));
    }

    private float[] step(Backend backend, int[][] ids, int[][] mask, int[] positions, KvCache cache, int[] logitRows) {
        try (AllocationScope ignored = backend.openScope()) {
            Batch in = Forward.batch(backend, ids, mask, positions, cache, logitRows, false);
            float[] logits = backend.toFloats(model.lm().forward(Graph.inference(backend), in).value());
            cache.advance(ids[0].length);
            return logits;
        }
    }

    private static int[][] prefix(int[][] mask, int length) {
        int[][] out = new int[mask.length][];
        for (int b = 0; b < mask.length; b++) {
            out[b] = Arrays.copyOf(mask[b], length);
        }
        return out;
    }

    /** Cuts {@code text} at the first stop string it contains; true when it did. */
    private static boolean cutAtStop(StringBuilder text, List<String> stops) {
        int cut = -1;
        for (String s : stops) {
            int at = text.indexOf(s);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut < 0) {
            return false;
        }
        text.setLength(cut);
        return true;
    }
}
