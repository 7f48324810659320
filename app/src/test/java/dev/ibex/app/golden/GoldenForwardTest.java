package dev.ibex.app.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.api.generate.Forward;
import dev.ibex.api.generate.Generation;
import dev.ibex.api.generate.Generator;
import dev.ibex.api.generate.SamplingParams;
import dev.ibex.api.model.LoadOptions;
import dev.ibex.api.model.Model;
import dev.ibex.spi.backend.AllocationScope;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.nn.Batch;
import dev.ibex.spi.nn.Graph;
import dev.ibex.spi.nn.KvCache;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The four architectures against transformers v4.36.2: logits of a full-sequence pass and of token-by-token
 * decoding through the KV cache within 1e-4 of {@code logits.safetensors}, and greedy generation identical to
 * {@code generate.json} with per-step scores within 1e-4 of {@code generate_scores.safetensors}.
 */
public class GoldenForwardTest {
    private static final double TOLERANCE = 1e-4;

    /** The backend the suite runs on; backend-tornado-gpu's subclass names its own. */
    protected String backend() {
        return "auto";
    }

    private Model load(String folder) {
        return Golden.load(Golden.dir(folder), LoadOptions.inference(), backend());
    }

    @ParameterizedTest
    @ValueSource(strings = {"opt", "llama", "mistral", "falcon_7b_style"})
    void fullSequenceLogitsMatchTransformers(String folder) {
        int[][] ids = Golden.ids(Golden.json(folder, "input_ids.json").get("input_ids"));
        float[] expected = Golden.floats(folder, "logits.safetensors", "logits");
        try (Model model = load(folder)) {
            float[] actual = Forward.logits(model, ids);
            Golden.assertMaxAbs(expected, actual, TOLERANCE, folder + " logits");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"opt", "llama", "mistral", "falcon_7b_style"})
    void tokenByTokenThroughTheCacheMatchesTransformers(String folder) {
        int[][] ids = Golden.ids(Golden.json(folder, "input_ids.json").get("input_ids"));
        float[] expected = Golden.floats(folder, "logits.safetensors", "logits");
        try (Model model = load(folder)) {
            Backend backend = model.backend();
            int batch = ids.length;
            int seq = ids[0].length;
            int vocab = model.info().vocabSize();
            KvCache cache = KvCache.allocate(backend, model.info().layers(), batch, seq, model.info().kvHeads(),
                    model.info().headDim());
            for (int t = 0; t < seq; t++) {
                int[][] step = new int[batch][1];
                for (int b = 0; b < batch; b++) {
                    step[b][0] = ids[b][t];
                }
                float[] logits;
                try (AllocationScope ignored = backend.openScope()) {
                    Batch in = Forward.batch(backend, step, null, Forward.arangePositions(batch, 1, t), cache, null, false);
                    logits = backend.toFloats(model.lm().forward(Graph.inference(backend), in).value());
                }
                cache.advance(1);
                for (int b = 0; b < batch; b++) {
                    Golden.assertMaxAbs(expected, (b * seq + t) * vocab, logits, b * vocab, vocab, TOLERANCE,
                            folder + " cached logits, row " + b + ", position " + t);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"opt", "llama", "mistral", "falcon_7b_style"})
    void greedyGenerationMatchesTransformers(String folder) {
        JsonNode gen = Golden.json(folder, "generate.json");
        int[] prompt = Golden.ints(gen.get("prompt_ids"));
        int[] expected = Golden.ints(gen.get("use_cache_true").get("new_tokens"));
        float[] scores = Golden.floats(folder, "generate_scores.safetensors", "scores_use_cache_true");
        try (Model model = load(folder)) {
            int vocab = model.info().vocabSize();
            List<float[]> seen = new ArrayList<>();
            Generation g = new Generator(model, 0).generate(List.of(prompt),
                    SamplingParams.greedy(expected.length), null, null);
            assertArrayEquals(expected, g.tokens().getFirst(), folder + " greedy tokens");
            // The scores are the raw last-position logits of each step (cached decoding itself is checked above).
            int[] sequence = new int[prompt.length + expected.length];
            System.arraycopy(prompt, 0, sequence, 0, prompt.length);
            System.arraycopy(expected, 0, sequence, prompt.length, expected.length);
            for (int i = 0; i < expected.length; i++) {
                int[][] ids = {java.util.Arrays.copyOf(sequence, prompt.length + i)};
                float[] logits = Forward.logits(model, ids);
                seen.add(java.util.Arrays.copyOfRange(logits, (ids[0].length - 1) * vocab, ids[0].length * vocab));
            }
            for (int i = 0; i < expected.length; i++) {
                Golden.assertMaxAbs(scores, i * vocab, seen.get(i), 0, vocab, TOLERANCE, folder + " step " + i + " scores");
            }
        }
    }
}
