package dev.ibex.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.api.adapter.LoraSettings;
import dev.ibex.api.data.TokenizedExample;
import dev.ibex.api.generate.Forward;
import dev.ibex.api.internal.Json;
import dev.ibex.api.model.LoadOptions;
import dev.ibex.api.model.Model;
import dev.ibex.api.model.ModelLoader;
import dev.ibex.api.model.Trainability;
import dev.ibex.api.plugin.Plugins;
import dev.ibex.api.run.RunConfigParser;
import dev.ibex.api.run.TrainingRun;
import dev.ibex.api.train.MicroBatch;
import dev.ibex.api.train.Trainer;
import dev.ibex.api.train.TrainingListener;
import dev.ibex.api.train.TrainingOptions;
import dev.ibex.app.golden.Golden;
import dev.ibex.spi.nn.Var;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training engine's promises, checked on the golden tiny models. */
class TrainingEngineTest {
    @TempDir
    Path tmp;

    private static ModelLoader loader() {
        return new ModelLoader(Plugins.installed(), m -> { });
    }

    private static List<TokenizedExample> goldenBatch(String folder) {
        JsonNode step = Golden.json(folder, "train_step.json");
        int[][] ids = Golden.ids(step.get("input_ids"));
        int[][] labels = Golden.ids(step.get("labels"));
        List<TokenizedExample> out = new ArrayList<>();
        for (int b = 0; b < ids.length; b++) {
            int[] mask = new int[ids[b].length];
            java.util.Arrays.fill(mask, 1);
            out.add(new TokenizedExample(ids[b], labels[b], mask, "row " + b));
        }
        return out;
    }

    /** Six tokenized records made from the golden inputs (shifted ids), for multi-step runs. */
    private Path dataset() throws Exception {
        int[][] ids = Golden.ids(Golden.json("llama", "input_ids.json").get("input_ids"));
        List<String> lines = new ArrayList<>();
        for (int r = 0; r < 6; r++) {
            int[] row = ids[r % 2].clone();
            for (int i = 0; i < row.length; i++) {
                row[i] = (row[i] + 37 * r) % 512;
            }
            lines.add(Json.compact(Map.of("input_ids", row)));
        }
        Path file = tmp.resolve("data.jsonl");
        Files.write(file, lines);
        return file;
    }

    private Path yaml(String name, String extra) throws Exception {
        dataset();
        Path file = tmp.resolve(name + ".yaml");
        Files.writeString(file, """
                base_model: %s
                adapter: lora
                lora_r: 4
                lora_alpha: 8
                lora_dropout: 0.1
                lora_target_modules: [q_proj, v_proj]
                datasets:
                  - path: data.jsonl
                    type: tokenized
                micro_batch_size: 2
                gradient_accumulation_steps: 1
                max_steps: 6
                learning_rate: 0.01
                lr_scheduler: cosine
                warmup_steps: 1
                save_steps: 2
                seed: 7
                output_dir: %s
                """.formatted(Golden.dir("llama").toAbsolutePath(), name) + extra);
        return file;
    }

    private static List<Double> losses(Path metrics) throws Exception {
        List<Double> out = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            JsonNode n = Json.parse(line, "metrics");
            if (n.path("type").asText().equals("train")) {
                out.add(n.get("loss").asDouble());
            }
        }
        return out;
    }

    /** A listener that kills the run (throws) right after the checkpoint of {@code killStep} is written. */
    private static TrainingListener killedAfterCheckpoint(int killStep) {
        return new TrainingListener() {
            @Override
            public void checkpointed(int step, Path dir) {
                if (step == killStep) {
                    throw new IllegalStateException("killed after the checkpoint of step " + killStep);
                }
            }
        };
    }

    @Test
    void aRunKilledAfterACheckpointResumesOnTheSameLossCurve() throws Exception {
        try (TrainingRun full = new TrainingRun(RunConfigParser.parse(yaml("full", "")), Plugins.installed(), m -> { })) {
            full.train(null);
        }
        List<Double> reference = losses(tmp.resolve("full/metrics.jsonl"));
        assertEquals(6, reference.size());

        try (TrainingRun killed = new TrainingRun(RunConfigParser.parse(yaml("killed", "")), Plugins.installed(), m -> { })) {
            assertThrows(IllegalStateException.class, () -> killed.train(killedAfterCheckpoint(4)));
        }
        assertTrue(Files.isDirectory(tmp.resolve("killed/checkpoint-4")));
        assertTrue(Files.isRegularFile(tmp.resolve("killed/checkpoint-4/optimizer.safetensors")));
        try (TrainingRun resumed = new TrainingRun(RunConfigParser.parse(yaml("killed", "resume_from_checkpoint: latest\n")),
                Plugins.installed(), m -> { })) {
            resumed.train(null);
        }
        List<Double> continued = losses(tmp.resolve("killed/metrics.jsonl"));
        assertEquals(reference.size(), continued.size(), "the resumed log has every step once");
        for (int i = 0; i < reference.size(); i++) {
            assertEquals(reference.get(i), continued.get(i), 1e-6, "loss of step " + (i + 1));
        }
        byte[] a = Files.readAllBytes(tmp.resolve("full/adapter_model.safetensors"));
        byte[] b = Files.readAllBytes(tmp.resolve("killed/adapter_model.safetensors"));
        assertTrue(java.util.Arrays.equals(a, b), "the resumed run ends with the same adapter, bit for bit");
        assertTrue(reference.getLast() < reference.getFirst(), "the loss falls: " + reference);
        assertEquals(0, Json.read(tmp.resolve("full/train_summary.json")).get("resumed_at_step").asInt());
        assertEquals(4, Json.read(tmp.resolve("killed/train_summary.json")).get("resumed_at_step").asInt(),
                "the summary's tokens and seconds are the resumed sitting's, and it says so");
    }

    @Test
    void fullFineTuningTrainsEveryWeightAndWritesAModelFolder() throws Exception {
        Path file = tmp.resolve("fft.yaml");
        dataset();
        Files.writeString(file, """
                base_model: %s
                adapter: full
                datasets: [{path: data.jsonl, type: tokenized}]
                micro_batch_size: 3
                max_steps: 4
                learning_rate: 0.003
                lr_scheduler: constant
                optimizer: adamw_torch
                weight_decay: 0.01
                output_dir: fft
                """.formatted(Golden.dir("llama").toAbsolutePath()));
        try (TrainingRun run = new TrainingRun(RunConfigParser.parse(file), Plugins.installed(), m -> { })) {
            run.train(null);
            assertEquals(run.model().hostWeights().size(), run.model().parameters().size(), "every tensor trains");
        }
        List<Double> l = losses(tmp.resolve("fft/metrics.jsonl"));
        assertTrue(l.getLast() < l.getFirst(), l.toString());
        int[][] ids = Golden.ids(Golden.json("llama", "input_ids.json").get("input_ids"));
        try (Model base = loader().load(Golden.dir("llama"), LoadOptions.inference());
             Model tuned = loader().load(tmp.resolve("fft/model"), LoadOptions.inference())) {
            float[] x = Forward.logits(base, ids);
            float[] y = Forward.logits(tuned, ids);
            assertNotEquals(x[0], y[0], "the saved model differs from the base");
            assertEquals(x.length, y.length);
        }
    }

    @Test
    void aResumedFullFineTuneStillWritesACompleteModelFolderAfterItsCheckpointRotatesAway() throws Exception {
        dataset();
        String run = """
                base_model: %s
                adapter: full
                datasets: [{path: data.jsonl, type: tokenized}]
                micro_batch_size: 3
                max_steps: 4
                learning_rate: 0.003
                save_steps: 1
                save_total_limit: 1
                output_dir: rotated
                """.formatted(Golden.dir("llama").toAbsolutePath());
        Path first = tmp.resolve("rotated.yaml");
        Files.writeString(first, run);
        try (TrainingRun killed = new TrainingRun(RunConfigParser.parse(first), Plugins.installed(), m -> { })) {
            assertThrows(IllegalStateException.class, () -> killed.train(killedAfterCheckpoint(2)));
        }
        Path resume = tmp.resolve("rotated-resume.yaml");
        Files.writeString(resume, run + "resume_from_checkpoint: latest\n");
        // The resumed model is read from checkpoint-2, which save_total_limit deletes at step 3.
        try (TrainingRun resumed = new TrainingRun(RunConfigParser.parse(resume), Plugins.installed(), m -> { })) {
            resumed.train(null);
        }
        assertFalse(Files.exists(tmp.resolve("rotated/checkpoint-2")));
        for (String file : List.of("config.json", "generation_config.json", "model.safetensors")) {
            assertTrue(Files.isRegularFile(tmp.resolve("rotated/model").resolve(file)), file);
            assertTrue(Files.isRegularFile(tmp.resolve("rotated/checkpoint-4/model").resolve(file)), file);
        }
        try (Model tuned = loader().load(tmp.resolve("rotated/model"), LoadOptions.inference())) {
            assertEquals(2, tuned.info().layers(), "the golden LLaMA's two layers");
        }
    }

    @Test
    void gradientCheckpointingAndAccumulationGiveTheSameGradients() {
        List<TokenizedExample> batch = goldenBatch("llama_lora");
        float[][] plain = grads(batch, false, 2, 1);
        float[][] checkpointed = grads(batch, true, 2, 1);
        float[][] accumulated = grads(batch, false, 1, 2);
        for (int i = 0; i < plain.length; i++) {
            Golden.assertMaxAbs(plain[i], checkpointed[i], 1e-7, "checkpointed gradient " + i);
            // both rows count 8 targets, so the mean of the two micro-batch means is the batch mean
            Golden.assertMaxAbs(plain[i], accumulated[i], 1e-6, "accumulated gradient " + i);
        }
    }

    private float[][] grads(List<TokenizedExample> batch, boolean checkpoint, int microBatch, int accumulate) {
        try (Model model = loader().load(Golden.dir("llama"), LoadOptions.inference().withAdapter(Golden.dir("llama_lora")))) {
            TrainingOptions options = TrainingOptions.defaults(tmp, 1e-3, 1).withMicroBatchSize(microBatch)
                    .withGradientCheckpointing(checkpoint);
            Trainer trainer = new Trainer(model, options, batch, List.of(), null);
            for (int i = 0; i < batch.size(); i += microBatch) {
                trainer.accumulate(MicroBatch.collate(batch.subList(i, i + microBatch), 0), 1f / accumulate, 0);
            }
            List<float[]> out = new ArrayList<>();
            for (Var p : model.parameters().values()) {
                out.add(model.backend().toFloats(p.grad()));
            }
            return out.toArray(float[][]::new);
        }
    }

    @Test
    void oneSgdStepIsTheParameterMinusTheLearningRateTimesPeftsGradient() {
        try (Model model = loader().load(Golden.dir("llama"), LoadOptions.inference().withAdapter(Golden.dir("llama_lora")))) {
            TrainingOptions options = TrainingOptions.defaults(tmp, 0.5, 1).withMicroBatchSize(2)
                    .withOptimizer("sgd", 0, 0);
            Trainer trainer = new Trainer(model, options, goldenBatch("llama_lora"), List.of(), null);
            trainer.accumulate(MicroBatch.collate(goldenBatch("llama_lora"), 0), 1f, 0);
            trainer.optimizerStep();
            for (Var p : model.parameters().values()) {
                String key = p.name().replace(".lora_A.weight", ".lora_A.default.weight")
                        .replace(".lora_B.weight", ".lora_B.default.weight");
                float[] before = Golden.floats("llama_lora", "lora_params_before.safetensors", key);
                float[] grad = Golden.floats("llama_lora", "grads.safetensors", key);
                float[] expected = new float[before.length];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = before[i] - 0.5f * grad[i];
                }
                Golden.assertMaxAbs(expected, model.backend().toFloats(p.value()), 1e-6, "SGD step of " + p.name());
            }
        }
    }

    @Test
    void rsLoraAndAllLinearTargetingFollowPeft() throws Exception {
        LoraSettings settings = new LoraSettings(4, 8, 0, List.of(), true, true, 1);
        try (Model model = loader().load(Golden.dir("llama"), LoadOptions.inference().withLora(settings))) {
            assertEquals(14, model.adapters().size(), "7 linears per layer, 2 layers, not lm_head");
            assertTrue(model.adapters().keySet().stream().noneMatch(k -> k.equals("lm_head")));
            model.adapters().values().forEach(a -> assertEquals(4f, a.scaling(), "alpha / sqrt(r) = 8 / 2"));
            for (var a : model.adapters().values()) {
                float[] b = model.backend().toFloats(a.b().value());
                for (float v : b) {
                    assertEquals(0f, v, "B starts at zero, so a fresh adapter changes nothing");
                }
                float[] av = model.backend().toFloats(a.a().value());
                double bound = 1 / Math.sqrt(a.inFeatures());
                for (float v : av) {
                    assertTrue(Math.abs(v) <= bound, "A ~ U(-1/sqrt(in), 1/sqrt(in))");
                }
            }
            model.saveAdapter(tmp.resolve("rs"));
        }
        JsonNode config = Json.read(tmp.resolve("rs/adapter_config.json"));
        assertTrue(config.get("use_rslora").asBoolean());
        List<String> targets = new ArrayList<>();
        config.get("target_modules").forEach(t -> targets.add(t.asText()));
        assertEquals(java.util.Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
                java.util.Set.copyOf(targets));
        try (Model again = loader().load(Golden.dir("llama"), LoadOptions.inference().withAdapter(tmp.resolve("rs")))) {
            assertEquals(14, again.adapters().size());
            again.adapters().values().forEach(a -> assertEquals(4f, a.scaling()));
        }
    }

    @Test
    void loraAndFullFineTuningDoNotMix() {
        var options = LoadOptions.inference().withTrainability(Trainability.FULL)
                .withLora(new LoraSettings(4, 8, 0, List.of(), false, false, 1));
        assertThrows(dev.ibex.spi.IbexException.class, () -> loader().load(Golden.dir("llama"), options));
    }
}
