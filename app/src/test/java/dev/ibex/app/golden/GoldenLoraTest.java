package dev.ibex.app.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.api.generate.Forward;
import dev.ibex.api.model.LoadOptions;
import dev.ibex.api.model.Model;
import dev.ibex.api.data.TokenizedExample;
import dev.ibex.api.train.MicroBatch;
import dev.ibex.api.train.Trainer;
import dev.ibex.api.train.TrainingOptions;
import dev.ibex.spi.nn.Var;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LoRA against peft v0.7.1: with the golden adapter loaded, the logits, the loss of one training batch, the
 * gradient of every LoRA parameter, and the parameters after one AdamW step (lr 1e-3) match the fixtures.
 */
public class GoldenLoraTest {
    @TempDir
    Path tmp;

    /** The backend the suite runs on; backend-tornado-gpu's subclass names its own. */
    protected String backend() {
        return "auto";
    }

    private Model load(String folder) {
        String base = Golden.json(folder, "train_step.json").get("lora").get("base").asText();
        return Golden.load(Golden.dir(base), LoadOptions.inference().withAdapter(Golden.dir(folder)), backend());
    }

    static List<TokenizedExample> examples(JsonNode step) {
        int[][] ids = Golden.ids(step.get("input_ids"));
        int[][] labels = Golden.ids(step.get("labels"));
        JsonNode maskNode = step.get("attention_mask");
        int[][] mask = maskNode == null || maskNode.isNull() ? null : Golden.ids(maskNode);
        List<TokenizedExample> out = new ArrayList<>();
        for (int b = 0; b < ids.length; b++) {
            int[] m = mask == null ? ones(ids[b].length) : mask[b];
            out.add(new TokenizedExample(ids[b], labels[b], m, "train_step.json row " + b));
        }
        return out;
    }

    private static int[] ones(int n) {
        int[] m = new int[n];
        java.util.Arrays.fill(m, 1);
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_lora", "opt_lora"})
    void logitsWithTheAdapterMatchPeft(String folder) {
        int[][] ids = Golden.ids(Golden.json(folder, "train_step.json").get("input_ids"));
        float[] expected = Golden.floats(folder, "logits_lora.safetensors", "logits");
        try (Model model = load(folder)) {
            Golden.assertMaxAbs(expected, Forward.logits(model, ids), 1e-4, folder + " logits with LoRA");
            model.setAdaptersEnabled(false);
            String base = Golden.json(folder, "train_step.json").get("lora").get("base").asText();
            Golden.assertMaxAbs(Golden.floats(base, "logits.safetensors", "logits"), Forward.logits(model, ids), 1e-4,
                    folder + " logits with the adapter disabled");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_lora", "opt_lora", "llama_lora_padded"})
    void lossGradientsAndOneAdamWStepMatchPeft(String folder) {
        JsonNode step = Golden.json(folder, "train_step.json");
        JsonNode opt = step.get("optimizer");
        try (Model model = load(folder)) {
            TrainingOptions options = TrainingOptions.defaults(tmp, opt.get("lr").asDouble(), 1)
                    .withMicroBatchSize(2)
                    .withOptimizer("adamw_torch", opt.get("weight_decay").asDouble(), 0);
            List<TokenizedExample> batch = examples(step);
            Trainer trainer = new Trainer(model, options, batch, List.of(), null);
            MicroBatch mb = MicroBatch.collate(batch, 0);
            assertEquals(step.get("n_counted_targets").asInt(), mb.counted(), "counted targets");
            double loss = trainer.accumulate(mb, 1f, 0);
            assertEquals(step.get("loss").asDouble(), loss, 1e-5, folder + " loss");

            for (Var p : model.parameters().values()) {
                float[] expected = Golden.floats(folder, "grads.safetensors", unsaved(p.name()));
                float[] actual = model.backend().toFloats(p.grad());
                double maxAbs = 0;
                double maxDiff = 0;
                for (int i = 0; i < expected.length; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
                    maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
                }
                double relative = maxDiff / maxAbs;
                assertTrue(relative <= 1e-5, folder + " grad of " + p.name() + ": relative error " + relative);
            }
            trainer.optimizerStep();
            for (Var p : model.parameters().values()) {
                float[] expected = Golden.floats(folder, "after_step.safetensors", unsaved(p.name()));
                Golden.assertMaxAbs(expected, model.backend().toFloats(p.value()), 1e-6,
                        folder + " " + p.name() + " after one AdamW step");
            }
            assertEquals(model.parameters().size(), step.get("lora").get("n_targeted_modules").asInt() * 2);
        }
    }

    /** Our parameter names are PEFT's saved keys; the fixtures use the in-memory names with ".default". */
    private static String unsaved(String key) {
        return key.replace(".lora_A.weight", ".lora_A.default.weight").replace(".lora_B.weight", ".lora_B.default.weight");
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_lora_padded"})
    void paddedBatchLogitsWithTheMaskMatchPeft(String folder) {
        JsonNode step = Golden.json(folder, "train_step.json");
        int[][] ids = Golden.ids(step.get("input_ids"));
        int[][] mask = Golden.ids(step.get("attention_mask"));
        try (Model model = load(folder)) {
            Golden.assertMaxAbs(Golden.floats(folder, "logits_lora.safetensors", "logits"),
                    Forward.logits(model, ids, mask), 1e-4, folder + " masked logits with LoRA, pads included");
            model.setAdaptersEnabled(false);
            Golden.assertMaxAbs(Golden.floats(folder, "logits_base.safetensors", "logits"),
                    Forward.logits(model, ids, mask), 1e-4, folder + " masked base logits, pads included");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_lora", "opt_lora"})
    void mergedCheckpointMatchesPeftMergeAndUnload(String folder) {
        int[][] ids = Golden.ids(Golden.json(folder, "train_step.json").get("input_ids"));
        Path out = tmp.resolve("merged");
        try (Model model = load(folder)) {
            dev.ibex.api.model.Merger.merge(model, out);
        }
        try (org.apache.arrow.memory.RootAllocator allocator = new org.apache.arrow.memory.RootAllocator();
             dev.ibex.api.io.SafetensorsFile expected = dev.ibex.api.io.SafetensorsFile.open(
                     Golden.dir(folder).resolve("merged_targets.safetensors"), allocator);
             dev.ibex.api.io.SafetensorsFile actual = dev.ibex.api.io.SafetensorsFile.open(
                     out.resolve("model.safetensors"), allocator)) {
            for (var e : expected.tensors().entrySet()) {
                Golden.assertMaxAbs(e.getValue().toFloatArray(), actual.get(e.getKey()).toFloatArray(), 1e-6,
                        "merged " + e.getKey());
            }
        }
        try (Model merged = Golden.load(out, LoadOptions.inference(), backend())) {
            Golden.assertMaxAbs(Golden.floats(folder, "merged_logits.safetensors", "logits"),
                    Forward.logits(merged, ids), 1e-4, folder + " logits of the merged checkpoint");
        }
    }
}
