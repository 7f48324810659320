package dev.ibex.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.api.internal.Json;
import dev.ibex.api.io.SafetensorsFile;
import dev.ibex.app.golden.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ibex train run.yaml} end to end on the golden LoRA fixtures: a tokenized batch, the golden adapter as
 * {@code lora_model_dir}, one AdamW step; the adapter written to {@code output_dir} must equal peft/torch's
 * parameters after the step, and the logged loss the golden loss.
 */
class TrainCommandTest {
    @TempDir
    Path tmp;

    static String run(String... args) {
        return Cli.run(args).expect(0).out();
    }

    static Path tokenizedBatch(Path dir, JsonNode step) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int b = 0; b < step.get("input_ids").size(); b++) {
            Map<String, Object> row = new java.util.LinkedHashMap<>();
            row.put("input_ids", step.get("input_ids").get(b));
            row.put("labels", step.get("labels").get(b));
            JsonNode mask = step.get("attention_mask");
            if (mask != null && mask.isArray()) {
                row.put("attention_mask", mask.get(b));
            }
            lines.add(Json.compact(row));
        }
        Path file = dir.resolve("batch.jsonl");
        Files.write(file, lines);
        return file;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_lora", "opt_lora", "llama_lora_padded"})
    void oneAdamWStepFromYamlMatchesPeft(String folder) throws Exception {
        JsonNode step = Golden.json(folder, "train_step.json");
        String base = step.get("lora").get("base").asText();
        tokenizedBatch(tmp, step);
        Path yaml = tmp.resolve("run.yaml");
        Files.writeString(yaml, """
                base_model: %s
                adapter: lora
                lora_model_dir: %s
                datasets:
                  - path: batch.jsonl
                    type: tokenized
                micro_batch_size: 2
                gradient_accumulation_steps: 1
                shuffle: false
                lora_dropout: 0
                max_steps: 1
                learning_rate: 0.001
                optimizer: adamw_torch
                lr_scheduler: constant
                max_grad_norm: 0
                output_dir: out
                """.formatted(Golden.dir(base).toAbsolutePath(), Golden.dir(folder).toAbsolutePath()));
        String out = run("train", yaml.toString());
        assertTrue(out.contains("trained 1 steps"), out);
        Path adapter = tmp.resolve("out/adapter_model.safetensors");
        try (RootAllocator allocator = new RootAllocator();
             SafetensorsFile saved = SafetensorsFile.open(adapter, allocator);
             SafetensorsFile expected = SafetensorsFile.open(Golden.dir(folder).resolve("after_step.safetensors"), allocator)) {
            assertEquals(expected.tensors().size(), saved.tensors().size());
            for (var e : expected.tensors().entrySet()) {
                String key = e.getKey().replace(".default.weight", ".weight");
                Golden.assertMaxAbs(e.getValue().toFloatArray(), saved.get(key).toFloatArray(), 1e-6, folder + " " + key);
            }
            assertEquals("pt", saved.metadata().get("format"));
        }
        JsonNode metrics = Json.parse(Files.readAllLines(tmp.resolve("out/metrics.jsonl")).getFirst(), "metrics.jsonl");
        assertEquals(step.get("loss").asDouble(), metrics.get("loss").asDouble(), 1e-5, folder + " logged loss");
        assertTrue(Files.isRegularFile(tmp.resolve("out/adapter_config.json")));
        assertTrue(Files.size(tmp.resolve("out/loss.png")) > 1000);
        JsonNode config = Json.read(tmp.resolve("out/adapter_config.json"));
        assertEquals("LORA", config.get("peft_type").asText());
        assertEquals(4, config.get("r").asInt());
    }

    @Test
    void aYamlTypoIsOneLineNamingTheKeyAndLine() throws Exception {
        Path yaml = tmp.resolve("run.yaml");
        Files.writeString(yaml, "base_model: x\nlerning_rate: 0.1\n");
        String msg = Cli.run("train", yaml.toString()).expect(1).err().strip();
        assertEquals(1, msg.lines().count(), msg);
        assertTrue(msg.contains("run.yaml:2: unknown key \"lerning_rate\"; did you mean \"learning_rate\"?"), msg);
    }
}
