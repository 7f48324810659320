package dev.ibex.api.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunConfigParserTest {
    private static final Path FILE = Path.of("/runs/demo/run.yaml");

    private static RunConfig parse(String yaml) {
        return RunConfigParser.parse(FILE, new StringReader(yaml));
    }

    private static String error(String yaml) {
        return assertThrows(RunConfigException.class, () -> parse(yaml)).getMessage();
    }

    private static final String MINIMAL = """
            base_model: ../models/tiny
            datasets:
              - path: data/train.jsonl
                type: alpaca
            learning_rate: 2e-4
            """;

    @Test
    void readsAnAxolotlStyleQloraRun() {
        RunConfig c = parse("""
                base_model: ./mistral
                load_in_4bit: true
                adapter: qlora
                lora_r: 16
                lora_alpha: 32
                lora_dropout: 0.05
                lora_target_linear: true
                datasets:
                  - path: ./data/train.jsonl
                    type: chatml
                    field_messages: messages
                chat_template: chatml
                sequence_len: 2048
                micro_batch_size: 2
                gradient_accumulation_steps: 8
                num_epochs: 2
                learning_rate: 0.0002
                optimizer: paged_adamw_32bit
                lr_scheduler: cosine
                warmup_steps: 20
                val_set_size: 0.05
                gradient_checkpointing: true
                bf16: auto
                seed: 42
                output_dir: ./out/mistral-qlora
                """);
        assertEquals(Path.of("/runs/demo/mistral"), c.model().baseModel());
        assertTrue(c.model().loadIn4bit());
        assertEquals("qlora", c.adapter().kind());
        assertEquals(16, c.adapter().rank());
        assertTrue(c.adapter().targetLinear());
        assertEquals("chatml", c.data().datasets().getFirst().type());
        assertEquals("messages", c.data().datasets().getFirst().options().get("field_messages"));
        assertEquals(Path.of("/runs/demo/data/train.jsonl"), c.data().datasets().getFirst().path());
        assertEquals("adamw_torch", c.optim().optimizer());
        assertEquals(2e-4, c.optim().learningRate());
        assertEquals(Path.of("/runs/demo/out/mistral-qlora"), c.output().outputDir());
        assertEquals(0.05, c.data().valSetSize());
    }

    @Test
    void scientificNotationIsANumberAndDefaultsApply() {
        RunConfig c = parse(MINIMAL);
        assertEquals(2e-4, c.optim().learningRate());
        assertEquals("full", c.adapter().kind(), "no adapter key means full fine-tuning, as axolotl");
        assertEquals(1.0, c.optim().maxGradNorm());
        assertEquals(512, c.data().sequenceLen());
        assertTrue(c.data().shuffle());
        assertFalse(c.data().trainOnInputs());
    }

    @Test
    void unknownKeyNamesTheLineAndSuggestsTheKnownOne() {
        String msg = error(MINIMAL + "lora_alhpa: 16\n");
        assertTrue(msg.contains("run.yaml:6"), msg);
        assertTrue(msg.contains("unknown key \"lora_alhpa\""), msg);
        assertTrue(msg.contains("did you mean \"lora_alpha\"?"), msg);
    }

    @Test
    void wrongTypesNameTheKeyAndLine() {
        String msg = error(MINIMAL + "micro_batch_size: two\n");
        assertTrue(msg.contains(":6: micro_batch_size: must be an integer, got \"two\""), msg);
        msg = error(MINIMAL + "lora_target_linear: maybe\n");
        assertTrue(msg.contains("lora_target_linear: must be true or false"), msg);
        msg = error(MINIMAL + "lora_target_modules: {q: 1}\n");
        assertTrue(msg.contains("lora_target_modules: must be a list of strings"), msg);
    }

    @Test
    void impossibleValuesAreRejected() {
        assertTrue(error(MINIMAL + "lora_r: 0\n").contains("lora_r: must be at least 1, got 0"));
        assertTrue(error(MINIMAL + "lora_dropout: 1.5\n").contains("lora_dropout: must be between"));
        assertTrue(error(MINIMAL + "lr_scheduler: exponential\n").contains("must be one of [constant, cosine, linear]"));
        assertTrue(error(MINIMAL + "optimizer: lion\n").contains("optimizer: must be one of"));
        assertTrue(error(MINIMAL + "val_set_size: 2.5\n").contains("val_set_size"));
        assertTrue(error(MINIMAL + "adapter: full\nload_in_4bit: true\n").contains("cannot be fully fine-tuned"));
        assertTrue(error(MINIMAL + "num_epochs: 0\n").contains("nothing would train"));
    }

    @Test
    void requiredKeysAreNamed() {
        assertTrue(error("datasets: [{path: a.jsonl, type: alpaca}]\nlearning_rate: 1\n").contains("base_model is required"));
        assertTrue(error("base_model: x\nlearning_rate: 1\n").contains("datasets is required"));
        assertTrue(error("base_model: x\ndatasets: [{path: a.jsonl, type: alpaca}]\n").contains("learning_rate is required"));
        assertTrue(error("base_model: x\ndatasets: [{path: a.jsonl}]\nlearning_rate: 1\n").contains("has no type"));
    }

    @Test
    void yamlSyntaxErrorsNameTheFileAndPosition() {
        String msg = error("base_model: x\ndatasets: [{path: a.jsonl, type: alpaca}\nlearning_rate: 1\n");
        assertTrue(msg.startsWith(FILE + ":"), msg);
        assertTrue(msg.contains("YAML syntax error"), msg);
        assertTrue(error("").contains("the file is empty"));
        assertTrue(error("- just\n- a list\n").contains("must be a mapping"));
        assertTrue(error(MINIMAL + "seed: 1\nseed: 2\n").contains("seed is set twice"));
    }

    @Test
    void qloraImpliesAFourBitBaseAndListsAcceptASingleString() {
        RunConfig c = parse(MINIMAL + "adapter: qlora\nlora_target_modules: query_key_value\n");
        assertTrue(c.model().loadIn4bit());
        assertEquals(List.of("query_key_value"), c.adapter().targetModules());
    }

    @Test
    void everyKeyHasADescription() {
        RunKeys.all().values().forEach(k -> assertFalse(k.description().isBlank(), k.name()));
    }
}
