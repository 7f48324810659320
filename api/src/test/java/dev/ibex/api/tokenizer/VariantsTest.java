package dev.ibex.api.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ibex.api.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The real vocabularies with the other components real tokenizer.json files use (non-legacy Metaspace, LLaMA 3's
 * split, Falcon's pre-tokenizers, normalizers, split behaviours, added-token flags), against the Rust crate's ids and
 * text (tools/tokenizer-golden writes variants.jsonl.gz: a base, a patch to it, and the cases).
 */
class VariantsTest {
    private static final Map<String, JsonNode> BASES = new ConcurrentHashMap<>();

    @TestFactory
    Stream<DynamicTest> matchTheRustCrate() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : lines()) {
            JsonNode variant = Json.parse(line, "variants.jsonl.gz");
            String name = variant.get("variant").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> check(name, variant)));
        }
        assertEquals(13, tests.size());
        return tests.stream();
    }

    private static void check(String name, JsonNode variant) {
        String base = variant.get("base").asText();
        ObjectNode root = BASES.computeIfAbsent(base,
                b -> Json.read(TestTokenizers.folder(b).resolve("tokenizer.json"))).deepCopy();
        variant.get("patch").properties().forEach(e -> {
            if (e.getKey().startsWith("model.")) {
                ((ObjectNode) root.get("model")).set(e.getKey().substring(6), e.getValue());
            } else {
                root.set(e.getKey(), e.getValue());
            }
        });
        HfTokenizer tokenizer = TokenizerLoader.build(root, TokenizerConfig.NONE, name);
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (JsonNode c : variant.get("cases")) {
            cases++;
            String text = c.get("text").asText();
            int[] ids = ints(c.get("ids"));
            compare(failures, text, "ids", Arrays.toString(ids), Arrays.toString(tokenizer.encode(text, true)));
            compare(failures, text, "ids without specials", Arrays.toString(ints(c.get("ids_no_special"))),
                    Arrays.toString(tokenizer.encode(text, false)));
            compare(failures, text, "decode", c.get("decode").asText(), tokenizer.decode(ids, false));
            compare(failures, text, "decode skipping specials", c.get("decode_skip_special").asText(),
                    tokenizer.decode(ids, true));
            compare(failures, text, "streamed decode", c.get("decode").asText(),
                    GoldenTokenizerTest.stream(tokenizer, ids, false));
        }
        assertTrue(cases >= 100, name);
        assertTrue(failures.isEmpty(), () -> failures.size() + " mismatches in " + name + ", first: "
                + failures.subList(0, Math.min(3, failures.size())));
    }

    private static void compare(List<String> failures, String text, String what, String expected, String actual) {
        if (!expected.equals(actual)) {
            failures.add(what + " of " + Json.compact(text) + ": expected " + expected + " but was " + actual);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static List<String> lines() {
        try (InputStream in = new GZIPInputStream(VariantsTest.class.getResourceAsStream(
                "/tokenizers/variants.jsonl.gz"))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
