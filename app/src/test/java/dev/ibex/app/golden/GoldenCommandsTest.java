package dev.ibex.app.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ibex.app.Cli;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exactness commands as a user runs them, against transformers v4.36.2: {@code ibex generate --prompt-ids ...
 * --json} prints the greedy ids of {@code generate.json}, {@code ibex forward} writes {@code logits.safetensors}
 * within 1e-4.
 */
class GoldenCommandsTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"opt", "llama", "mistral", "falcon_7b_style"})
    void generateJsonPrintsTheGreedyIdsOfTransformers(String folder) throws Exception {
        JsonNode gen = Golden.json(folder, "generate.json");
        int[] prompt = Golden.ints(gen.get("prompt_ids"));
        int[] expected = Golden.ints(gen.get("use_cache_true").get("new_tokens"));
        String out = Cli.run("generate", "-m", Golden.dir(folder).toString(),
                "--prompt-ids", Arrays.stream(prompt).mapToObj(String::valueOf).collect(Collectors.joining(",")),
                "--max-new-tokens", String.valueOf(expected.length), "--temperature", "0", "--json").expect(0).out();
        JsonNode printed = new ObjectMapper().readTree(out);
        assertArrayEquals(expected, Golden.ints(printed.get("ids")), folder + ": " + out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"opt", "llama", "mistral", "falcon_7b_style"})
    void forwardWritesTheLogitsOfTransformers(String folder) {
        Path logits = tmp.resolve(folder + ".safetensors");
        Cli.run("forward", "-m", Golden.dir(folder).toString(),
                "--input-ids", Golden.dir(folder).resolve("input_ids.json").toString(),
                "--out", logits.toString()).expect(0);
        Golden.assertMaxAbs(Golden.floats(folder, "logits.safetensors", "logits"),
                Golden.floats(tmp, logits.getFileName().toString(), "logits"), 1e-4, folder + " logits");
    }
}
