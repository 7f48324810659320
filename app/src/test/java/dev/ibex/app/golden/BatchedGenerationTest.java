package dev.ibex.app.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ibex.api.generate.Generation;
import dev.ibex.api.generate.Generator;
import dev.ibex.api.generate.SamplingParams;
import dev.ibex.api.model.LoadOptions;
import dev.ibex.api.model.Model;
import dev.ibex.api.model.ModelLoader;
import dev.ibex.api.plugin.Plugins;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Prompts of different lengths generated together (left-padded, one prefill, one cache) give the same greedy
 * tokens as each generated alone: padding is masked and positions follow transformers' {@code cumsum(mask) - 1}.
 * (Mistral is left out on purpose: its sliding window counts cache slots, so padding shrinks a padded row's window,
 * as it does in transformers.)
 */
class BatchedGenerationTest {
    @ParameterizedTest
    @ValueSource(strings = {"llama", "opt", "falcon_7b_style"})
    void batchedGreedyEqualsOneByOne(String folder) {
        int[][] ids = Golden.ids(Golden.json(folder, "input_ids.json").get("input_ids"));
        List<int[]> prompts = List.of(Arrays.copyOf(ids[0], 9), Arrays.copyOf(ids[1], 4), Arrays.copyOf(ids[1], 7));
        try (Model model = new ModelLoader(Plugins.installed(), m -> { }).load(Golden.dir(folder), LoadOptions.inference())) {
            Generator generator = new Generator(model, 0);
            SamplingParams params = new SamplingParams(6, 0, 0, 1, 1, 0, List.of(), false);
            Generation batched = generator.generate(prompts, params, null, null);
            for (int i = 0; i < prompts.size(); i++) {
                Generation alone = generator.generate(List.of(prompts.get(i)), params, null, null);
                assertArrayEquals(alone.tokens().getFirst(), batched.tokens().get(i), folder + " prompt " + i);
                assertEquals(Generation.FinishReason.MAX_TOKENS, batched.reasons().get(i));
            }
        }
    }

    @Test
    void generationReachingTheContextLimitEndsWithContext() {
        try (Model m = new ModelLoader(Plugins.installed(), x -> { }).load(Golden.dir("llama"), LoadOptions.inference())) {
            Generation g = new Generator(m, 10).generate(List.of(new int[] {1, 2, 3, 4, 5, 6}),
                    SamplingParams.greedy(8), null, null);
            // 6 prompt tokens + 4 generated fill the 10-slot cache; a 5th comes from the last logits, then it stops
            assertEquals(5, g.tokens().getFirst().length);
            assertEquals(Generation.FinishReason.CONTEXT, g.reasons().getFirst());
        }
    }
}
