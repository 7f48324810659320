package dev.ibex.api.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.api.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;

/**
 * The real tokenizers in the test resources (LLaMA, Mistral, GPT-2), unpacked once per test JVM into a folder laid
 * out like a model folder, and their golden cases.
 */
public final class TestTokenizers {
    public static final List<String> NAMES = List.of("llama", "mistral", "gpt2");
    private static final Map<String, Path> FOLDERS = new ConcurrentHashMap<>();
    private static final Map<String, HfTokenizer> LOADED = new ConcurrentHashMap<>();

    private TestTokenizers() {
    }

    /**
     * One line of golden.jsonl, made by tools/tokenizer-golden. The values are transformers.js's, or the Rust crate's
     * where the line records that the two disagree ({@code fromRust}).
     */
    public record Golden(String name, String text, int[] ids, int[] idsNoSpecial, String decode,
                         String decodeSkipSpecial, String decodeNoSpecial, boolean fromRust) {
    }

    /** A folder with tokenizer.json and tokenizer_config.json, as a model folder has. */
    public static Path folder(String name) {
        return FOLDERS.computeIfAbsent(name, TestTokenizers::unpack);
    }

    public static HfTokenizer load(String name) {
        return LOADED.computeIfAbsent(name, n -> HfTokenizer.load(folder(n)));
    }

    public static List<Golden> golden(String name) {
        List<Golden> cases = new ArrayList<>();
        try (InputStream in = resource(name + "/golden.jsonl")) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (String line : lines) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode whole = Json.parse(line, name + "/golden.jsonl");
                JsonNode n = whole.has("rust") ? whole.get("rust") : whole;
                cases.add(new Golden(whole.get("case").asText(), whole.get("text").asText(), ints(n.get("ids")),
                        ints(n.get("ids_no_special")), n.get("decode").asText(), n.get("decode_skip_special").asText(),
                        n.get("decode_no_special").asText(), whole.has("rust")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static Path unpack(String name) {
        try {
            Path dir = Files.createTempDirectory("ibex-tokenizer-" + name);
            try (InputStream gz = new GZIPInputStream(resource(name + "/tokenizer.json.gz"))) {
                Files.copy(gz, dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
            }
            try (InputStream config = resource(name + "/tokenizer_config.json")) {
                Files.copy(config, dir.resolve("tokenizer_config.json"), StandardCopyOption.REPLACE_EXISTING);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String path) {
        InputStream in = TestTokenizers.class.getResourceAsStream("/tokenizers/" + path);
        if (in == null) {
            throw new IllegalStateException("missing test resource tokenizers/" + path);
        }
        return in;
    }

    static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort at shutdown
        }
    }
}
