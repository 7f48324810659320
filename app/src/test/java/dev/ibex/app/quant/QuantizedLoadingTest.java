package dev.ibex.app.quant;

import static dev.ibex.app.quant.QuantModels.INT8;
import static dev.ibex.app.quant.QuantModels.NF4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.api.generate.Forward;
import dev.ibex.api.model.Model;
import dev.ibex.app.golden.Golden;
import dev.ibex.spi.quant.QuantOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Quantizing at load ({@code load_in_4bit}, {@code load_in_8bit}) on the four architectures' golden models:
 * which weights are quantized, that the quantized model computes with exactly its dequantized weights (prefill
 * through the fused GEMM, cached decoding through the fused GEMV), and how far that moves the logits.
 */
class QuantizedLoadingTest {
    private static final String[] ARCHITECTURES = {"opt", "llama", "mistral", "falcon_7b_style"};

    @TempDir
    Path tmp;

    /** Every linear of the architecture but the output head (tied or not) is quantized; nothing else is. */
    @ParameterizedTest
    @ValueSource(strings = {"opt", "llama", "mistral", "falcon_7b_style"})
    void everyLinearButTheHeadIsQuantized(String folder) {
        for (QuantOptions q : new QuantOptions[] {NF4, INT8}) {
            try (Model model = QuantModels.load(Golden.dir(folder), q)) {
                List<String> expected = new ArrayList<>(model.architecture().linearModules(model.folder().config()));
                expected.remove(model.architecture().outputModule());
                assertEquals(new TreeSet<>(expected), new TreeSet<>(model.quantizedWeights().keySet()),
                        folder + " " + q.format());
                assertTrue(model.quantizedWeights().values().stream().allMatch(w -> w.format().equals(q.format())));
            }
        }
    }

    /**
     * The quantized model against a dense twin holding the dequantized weights: the same function, so full-sequence
     * logits (GEMM) and token-by-token cached logits (GEMV) agree to float round-off. LLM.int8 also quantizes its
     * inputs, so for it the twin is only close; both stay close to the unquantized model.
     */
    @ParameterizedTest
    @ValueSource(strings = {"opt", "llama", "mistral", "falcon_7b_style"})
    void aQuantizedModelComputesWithItsDequantizedWeights(String folder) {
        int[][] ids = Golden.ids(Golden.json(folder, "input_ids.json").get("input_ids"));
        float[] dense = Golden.floats(folder, "logits.safetensors", "logits");
        try (Model nf4 = QuantModels.load(Golden.dir(folder), NF4);
             Model twin = QuantModels.load(QuantModels.dequantizedTwin(nf4, tmp.resolve(folder + "-nf4")), null)) {
            float[] expected = Forward.logits(twin, ids);
            Golden.assertMaxAbs(expected, Forward.logits(nf4, ids), 1e-4, folder + " nf4 prefill");
            Golden.assertMaxAbs(expected, QuantModels.cachedLogits(nf4, ids), 1e-4, folder + " nf4 cached decoding");
            double error = QuantModels.relativeRms(expected, dense);
            assertTrue(error > 1e-3 && error < 0.25, folder + " nf4 moves the logits by " + error);
        }
        try (Model int8 = QuantModels.load(Golden.dir(folder), INT8);
             Model twin = QuantModels.load(QuantModels.dequantizedTwin(int8, tmp.resolve(folder + "-int8")), null)) {
            float[] logits = Forward.logits(int8, ids);
            assertTrue(QuantModels.relativeRms(logits, Forward.logits(twin, ids)) < 0.03, folder + " int8 vs its twin");
            assertTrue(QuantModels.relativeRms(logits, dense) < 0.03, folder + " int8 vs the dense model");
            Golden.assertMaxAbs(logits, QuantModels.cachedLogits(int8, ids), 0.02, folder + " int8 cached decoding");
        }
    }

    /** {@code llm_int8_skip_modules} by full name or by suffix, and the head, stay as stored. */
    @Test
    void skippedModulesAndTheHeadStayDense() {
        try (Model model = QuantModels.load(Golden.dir("llama"), NF4, "v_proj", "model.layers.1.mlp.down_proj")) {
            Set<String> quantized = model.quantizedWeights().keySet();
            assertFalse(quantized.contains("model.layers.0.self_attn.v_proj"));
            assertFalse(quantized.contains("model.layers.1.self_attn.v_proj"));
            assertFalse(quantized.contains("model.layers.1.mlp.down_proj"));
            assertFalse(quantized.contains("lm_head"));
            assertTrue(quantized.contains("model.layers.0.mlp.down_proj"));
            assertEquals(14 - 3, quantized.size());
        }
    }

    /** The base's memory is the quantized size plus the dense tensors the model keeps. */
    @Test
    void baseBytesCountQuantizedWeightsAtTheirStoredSize() {
        try (Model dense = QuantModels.load(Golden.dir("llama"), null);
             Model nf4 = QuantModels.load(Golden.dir("llama"), NF4)) {
            long linearWeights = nf4.quantizedWeights().values().stream().mapToLong(q -> q.shape().numel()).sum();
            long denseRest = dense.baseBytes() - 4 * linearWeights; // the golden llama is F32
            assertEquals(denseRest + nf4.quantizedBytes(), nf4.baseBytes());
            // 4.127 bits of codes and scales, plus 1.3 KB of tables per tensor: most of the total on layers this small
            assertTrue(nf4.quantizedBytes() < linearWeights, "under 8 bits per weight, tables included");
            assertEquals(dense.weightBytes(), nf4.weightBytes() - nf4.quantizedBytes(), "the checkpoint stays mapped");
        }
    }
}
