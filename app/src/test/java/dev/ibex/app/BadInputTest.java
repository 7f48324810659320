package dev.ibex.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.app.golden.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command given bad input prints one clear line naming the file and the problem, exits non-zero, and shows
 * a stack trace only with {@code --verbose}.
 */
class BadInputTest {
    @TempDir
    static Path tmp;

    /** A copy of a golden model folder with {@code config.json} edited by {@code edit}. */
    static Path model(String name, String golden, java.util.function.UnaryOperator<String> edit) throws Exception {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        Files.copy(Golden.dir(golden).resolve("model.safetensors"), dir.resolve("model.safetensors"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("config.json"), edit.apply(Files.readString(Golden.dir(golden).resolve("config.json"))));
        return dir;
    }

    @BeforeEach
    void fixtures() throws Exception {
        Files.createDirectories(tmp.resolve("empty"));
        model("unknown-type", "llama", c -> c.replace("\"llama\"", "\"gpt_neox\"").replace("LlamaForCausalLM", "GPTNeoXForCausalLM"));
        model("bad-json", "llama", c -> c.replace("}", ",,}"));
        model("shape", "llama", c -> c.replace("\"intermediate_size\": 176", "\"intermediate_size\": 100"));
        model("missing", "llama", c -> c.replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3"));
        model("alibi", "falcon_7b_style", c -> c.replace("\"alibi\": false", "\"alibi\": true"));
        Path truncated = model("truncated", "llama", c -> c);
        byte[] bytes = Files.readAllBytes(truncated.resolve("model.safetensors"));
        Files.write(truncated.resolve("model.safetensors"), Arrays.copyOf(bytes, bytes.length / 2));
        Path header = model("header", "llama", c -> c);
        bytes = Files.readAllBytes(header.resolve("model.safetensors"));
        bytes[3] = 0x7f; // the header length becomes absurd
        Files.write(header.resolve("model.safetensors"), bytes);
        Files.writeString(tmp.resolve("ids.json"), "[[1, 2, 3]]");
        Files.createDirectories(tmp.resolve("occupied"));
        Files.writeString(tmp.resolve("occupied/notes.txt"), "a user's file");
        Files.writeString(tmp.resolve("broken.yaml"), "base_model: x\ndatasets: [{path: a.jsonl, type: alpaca\n");
    }

    static Stream<Arguments> cases() {
        Path ids = tmp.resolve("ids.json");
        return Stream.of(
                Arguments.of(List.of("inspect", "/no/such/model"), "no such folder"),
                Arguments.of(List.of("generate", "-m", "/no/such/model", "--prompt-ids", "1"), "no such folder"),
                Arguments.of(List.of("inspect", "%empty"), "no config.json"),
                Arguments.of(List.of("forward", "-m", "%empty", "--input-ids", ids.toString(), "--out", "x"), "no config.json"),
                Arguments.of(List.of("inspect", "%unknown-type"), "unknown model_type \"gpt_neox\""),
                Arguments.of(List.of("generate", "-m", "%unknown-type", "--prompt-ids", "1"), "installed architectures handle"),
                Arguments.of(List.of("inspect", "%bad-json"), "config.json:"),
                Arguments.of(List.of("generate", "-m", "%bad-json", "--prompt-ids", "1"), "invalid JSON"),
                Arguments.of(List.of("inspect", "%truncated"), "truncated file?"),
                Arguments.of(List.of("generate", "-m", "%truncated", "--prompt-ids", "1"), "corrupt safetensors"),
                Arguments.of(List.of("generate", "-m", "%header", "--prompt-ids", "1"), "exceeds the limit"),
                Arguments.of(List.of("generate", "-m", "%shape", "--prompt-ids", "1"), "has shape [176, 64], but"),
                Arguments.of(List.of("generate", "-m", "%missing", "--prompt-ids", "1"),
                        "has no tensor \"model.layers.2.self_attn.q_proj.weight\", which llama needs"),
                Arguments.of(List.of("generate", "-m", "%alibi", "--prompt-ids", "1"), "ALiBi"),
                Arguments.of(List.of("inspect", "%alibi"), "ALiBi"),
                Arguments.of(List.of("generate", "-m", Golden.dir("llama").toString(), "--prompt-ids", "1,2,3,4,5,6",
                        "--max-context", "4"), "leaves no room in a context of 4 tokens"),
                Arguments.of(List.of("generate", "-m", Golden.dir("llama").toString(), "--prompt-ids", "1,999"),
                        "outside the vocabulary [0, 512)"),
                Arguments.of(List.of("forward", "-m", Golden.dir("llama").toString(), "--input-ids", "/no/ids.json",
                        "--out", "x"), "file not found"),
                Arguments.of(List.of("train", tmp.resolve("broken.yaml").toString()), "YAML syntax error"),
                Arguments.of(List.of("train", "/no/run.yaml"), "file not found"),
                Arguments.of(List.of("generate", "-m", Golden.dir("llama").toString(), "--prompt-ids", "1",
                        "--backend", "quantum"), "unknown backend \"quantum\""),
                Arguments.of(List.of("quantize", "-m", "%truncated", "--to", "nf4", "--out", "%truncated"),
                        "is the model folder"),
                Arguments.of(List.of("quantize", "-m", Golden.dir("llama").toString(), "--to", "nf4", "--out",
                        "%occupied"), "already holds files"),
                Arguments.of(List.of("quantize", "-m", Golden.dir("llama").toString(), "--to", "int8",
                        "--block-size", "32", "--out", "%new"), "--block-size does not apply to --to int8"),
                Arguments.of(List.of("merge", "-m", Golden.dir("llama").toString(), "--adapter",
                        Golden.dir("llama_lora").toString(), "--out", "%occupied"),
                        "already holds files"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void oneLineNonZeroNoStackTrace(List<String> command, String expected) {
        String[] args = command.stream().map(a -> a.startsWith("%") ? tmp.resolve(a.substring(1)).toString() : a)
                .toArray(String[]::new);
        Cli r = Cli.run(args);
        assertEquals(1, r.code(), () -> "exit code for " + command + "; stderr: " + r.err());
        List<String> lines = r.err().lines().filter(l -> !l.startsWith("WARNING")).toList();
        assertEquals(1, lines.size(), () -> "one line for " + command + ", got:\n" + r.err());
        assertTrue(lines.getFirst().startsWith("ibex: error: "), lines.getFirst());
        assertTrue(lines.getFirst().contains(expected), () -> command + ": expected \"" + expected + "\" in: " + lines.getFirst());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose");
    }

    @Test
    void verboseShowsTheStackTrace() {
        Cli r = Cli.run("inspect", "/no/such/model", "--verbose");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("\tat dev.ibex"), r.err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        Cli r = Cli.run("generate", "-m", Golden.dir("llama").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--prompt"), r.err());
    }
}
