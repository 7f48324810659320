package dev.ibex.app.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.api.generate.Forward;
import dev.ibex.api.generate.Generation;
import dev.ibex.api.generate.Generator;
import dev.ibex.api.generate.SamplingParams;
import dev.ibex.api.model.LoadOptions;
import dev.ibex.api.model.Model;
import dev.ibex.api.model.ModelLoader;
import dev.ibex.api.plugin.Plugins;
import dev.ibex.spi.backend.AllocationScope;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.nn.Batch;
import dev.ibex.spi.nn.Graph;
import dev.ibex.spi.nn.KvCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tiny configurations of the four architectures that the golden set does not cover (GQA ratios, rotary variants,
 * tied heads, biases, Mistral windows, the Falcon 40B and RW layouts, OPT post-LN and projections, padded batches),
 * against the independent transformers-v4.36.2 forward pass in {@code tools/arch-reference} (see
 * {@code reference/README.md}): full-sequence logits (with the attention mask where the case has one) and
 * token-by-token decoding through the KV cache within 1e-4, and greedy generation of every prompt (a batch of
 * prompts of different lengths is left-padded; one case adds a repetition penalty) identical to
 * {@code generate.json}, with per-step scores within 1e-4.
 */
class ReferenceArchitecturesTest {
    private static final Path ROOT = Path.of("src/test/resources/reference");
    private static final double TOLERANCE = 1e-4;

    static Stream<String> cases() {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            List<String> names = dirs.filter(d -> Files.isRegularFile(d.resolve("config.json")))
                    .map(d -> d.getFileName().toString()).sorted().toList();
            assertTrue(names.size() >= 20, "reference cases found: " + names);
            return names.stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Model load(String name) {
        return new ModelLoader(Plugins.installed(), msg -> { }).load(ROOT.resolve(name), LoadOptions.inference());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fullSequenceLogitsMatchTheReference(String name) {
        JsonNode input = Golden.json(ROOT.resolve(name), "input_ids.json");
        int[][] ids = Golden.ids(input.get("input_ids"));
        int[][] mask = Golden.idsOrNull(input.get("attention_mask"));
        float[] expected = Golden.floats(ROOT.resolve(name), "logits.safetensors", "logits");
        try (Model model = load(name)) {
            float[] actual = mask == null ? Forward.logits(model, ids) : Forward.logits(model, ids, mask);
            Golden.assertMaxAbs(expected, actual, TOLERANCE, name + " logits");
        }
    }

    /**
     * One token per step, every row at once, with the mask so far where the case is padded. Queries that see no key
     * ({@code queries_seeing_no_key}: left padding, or a window holding only padding) are skipped: transformers
     * averages every key of the pass for them, so their values depend on how many keys the pass has and differ
     * between a full pass and cached steps in transformers itself (the full-pass test checks them).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void tokenByTokenThroughTheCacheMatchesTheReference(String name) {
        JsonNode input = Golden.json(ROOT.resolve(name), "input_ids.json");
        int[][] ids = Golden.ids(input.get("input_ids"));
        int[][] mask = Golden.idsOrNull(input.get("attention_mask"));
        float[] expected = Golden.floats(ROOT.resolve(name), "logits.safetensors", "logits");
        Set<List<Integer>> blind = new HashSet<>();
        for (int[] q : Golden.ids(input.get("queries_seeing_no_key"))) {
            blind.add(List.of(q[0], q[1]));
        }
        try (Model model = load(name)) {
            Backend backend = model.backend();
            int batch = ids.length;
            int seq = ids[0].length;
            int vocab = model.info().vocabSize();
            KvCache cache = KvCache.allocate(backend, model.info().layers(), batch, seq, model.info().kvHeads(),
                    model.info().headDim());
            int compared = 0;
            for (int t = 0; t < seq; t++) {
                int[][] step = new int[batch][1];
                int[][] seen = mask == null ? null : new int[batch][];
                for (int b = 0; b < batch; b++) {
                    step[b][0] = ids[b][t];
                    if (mask != null) {
                        seen[b] = Arrays.copyOf(mask[b], t + 1);
                    }
                }
                float[] logits;
                try (AllocationScope ignored = backend.openScope()) {
                    Batch in = Forward.batch(backend, step, seen, Forward.arangePositions(batch, 1, t), cache, null,
                            false);
                    logits = backend.toFloats(model.lm().forward(Graph.inference(backend), in).value());
                }
                cache.advance(1);
                for (int b = 0; b < batch; b++) {
                    if (blind.contains(List.of(b, t))) {
                        continue;
                    }
                    Golden.assertMaxAbs(expected, (b * seq + t) * vocab, logits, b * vocab, vocab, TOLERANCE,
                            name + " cached logits, row " + b + ", position " + t);
                    compared++;
                }
            }
            assertTrue(compared >= seq, name + ": compared only " + compared + " positions");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void greedyGenerationMatchesTheReference(String name) {
        JsonNode gen = Golden.json(ROOT.resolve(name), "generate.json");
        int[][] prompts = Golden.ids(gen.get("prompts"));
        int[][] expected = Golden.ids(gen.get("new_tokens"));
        int steps = gen.get("max_new_tokens").asInt();
        float[] scores = Golden.floats(ROOT.resolve(name), "generate_scores.safetensors", "scores");
        try (Model model = load(name)) {
            int vocab = model.info().vocabSize();
            // The reference generates all max_new_tokens (no EOS stop), so Ibex must not stop at EOS either.
            SamplingParams greedy = new SamplingParams(steps, 0, 0, 1, gen.get("repetition_penalty").asDouble(), 0,
                    List.of(), false);
            Generation g = new Generator(model, 0).generate(List.of(prompts), greedy, null, null);
            assertEquals(prompts.length, g.tokens().size());
            for (int p = 0; p < prompts.length; p++) {
                assertArrayEquals(expected[p], g.tokens().get(p), name + " greedy tokens of prompt " + p
                        + (prompts.length > 1 ? " (batch of " + prompts.length + ", left-padded)" : ""));
            }
            // Step i's scores are the raw last-position logits (before any repetition penalty) after the prompt and
            // i new tokens. With causal
            // attention they are the logits at position prompt + i - 1 of one full pass over the unpadded prompt and
            // the picked tokens (transformers' padded-batch positions, cumsum(mask) - 1, give the same values).
            for (int p = 0; p < prompts.length; p++) {
                int[] sequence = new int[prompts[p].length + steps - 1];
                System.arraycopy(prompts[p], 0, sequence, 0, prompts[p].length);
                System.arraycopy(expected[p], 0, sequence, prompts[p].length, steps - 1);
                float[] logits = Forward.logits(model, new int[][] {sequence});
                for (int i = 0; i < steps; i++) {
                    Golden.assertMaxAbs(scores, (p * steps + i) * vocab, logits, (prompts[p].length - 1 + i) * vocab,
                            vocab, TOLERANCE, name + " prompt " + p + " step " + i + " scores");
                }
            }
        }
    }
}
