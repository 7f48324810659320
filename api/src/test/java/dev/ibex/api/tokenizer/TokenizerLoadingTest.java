package dev.ibex.api.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ibex.api.internal.Json;
import dev.ibex.spi.IbexException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading from folders and files, the transformers config rules, and the errors a user sees. */
class TokenizerLoadingTest {
    @TempDir
    Path dir;

    private static String message(Path path) {
        return assertThrows(IbexException.class, () -> HfTokenizer.load(path)).getMessage();
    }

    private static final Map<String, JsonNode> PARSED = new ConcurrentHashMap<>();

    /**
     * A real tokenizer with another tokenizer_config.json. The tokenizer.json tree is parsed once per test run; the
     * rest of loading is the same as {@link HfTokenizer#load}.
     */
    private HfTokenizer withConfigLoaded(String name, String config) throws IOException {
        Path folder = Files.createTempDirectory(dir, name);
        Files.writeString(folder.resolve("tokenizer_config.json"), config);
        JsonNode root = PARSED.computeIfAbsent(name, n -> Json.read(TestTokenizers.folder(n).resolve("tokenizer.json")));
        return TokenizerLoader.build(root, TokenizerConfig.read(folder), folder + "/tokenizer.json");
    }

    private String messageWithConfig(String name, String config) {
        return assertThrows(IbexException.class, () -> withConfigLoaded(name, config)).getMessage();
    }

    /** A copy of a real tokenizer folder whose tokenizer_config.json is replaced. */
    private Path withConfig(String name, String config) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name + "-copy"));
        Files.copy(TestTokenizers.folder(name).resolve("tokenizer.json"), folder.resolve("tokenizer.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(folder.resolve("tokenizer_config.json"), config);
        return folder;
    }

    /** A minimal tokenizer.json with one part replaced. */
    private Path tokenizerJson(String field, String value) throws IOException {
        ObjectNode root = (ObjectNode) Json.parse("""
                {"version":"1.0","added_tokens":[],"normalizer":null,"pre_tokenizer":null,"post_processor":null,
                 "decoder":null,"model":{"type":"BPE","vocab":{"a":0},"merges":[]}}""", "test");
        root.set(field, Json.parse(value, "test"));
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, root.toString());
        return file;
    }

    @Test
    void missingPathsAreNamed() {
        Path missing = dir.resolve("nope");
        String m = message(missing);
        assertTrue(m.contains(missing.toString()) && m.contains("no such file"), m);
        m = message(dir);
        assertTrue(m.contains(dir.toString()) && m.contains("no tokenizer.json"), m);
    }

    @Test
    void corruptJsonNamesFileLineAndColumn() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\n  \"version\": \"1.0\",\n  \"model\": {,}\n}\n");
        String m = message(file);
        assertTrue(m.startsWith(file + ":3:"), m);
        assertTrue(m.contains("invalid JSON"), m);
    }

    @Test
    void unknownPartsNameTheirTypeAndTheFile() throws IOException {
        String m = message(tokenizerJson("model", "{\"type\":\"Unigram\",\"vocab\":[]}"));
        assertTrue(m.contains("tokenizer.json") && m.contains("unsupported model type 'Unigram'"), m);
        m = message(tokenizerJson("normalizer", "{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"\"}"));
        assertTrue(m.contains("tokenizer.json") && m.contains("unknown normalizer type 'Precompiled'"), m);
        m = message(tokenizerJson("pre_tokenizer", "{\"type\":\"UnicodeScripts\"}"));
        assertTrue(m.contains("unknown pre_tokenizer type 'UnicodeScripts'") && m.contains("supported:"), m);
        m = message(tokenizerJson("decoder", "{\"type\":\"CTC\"}"));
        assertTrue(m.contains("unknown decoder type 'CTC'"), m);
        m = message(tokenizerJson("post_processor", "{\"type\":\"Nope\"}"));
        assertTrue(m.contains("unknown post_processor type 'Nope'"), m);
        m = message(tokenizerJson("pre_tokenizer", "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"(\"},"
                + "\"behavior\":\"Isolated\",\"invert\":false}"));
        assertTrue(m.contains("regex ( does not compile"), m);
        m = message(tokenizerJson("version", "\"2.0\""));
        assertTrue(m.contains("unknown tokenizer.json version '2.0'"), m);
    }

    @Test
    void specialIdsComeFromTheConfig() {
        HfTokenizer llama = TestTokenizers.load("llama");
        assertEquals(OptionalInt.of(1), llama.bosId());
        assertEquals(OptionalInt.of(2), llama.eosId());
        assertEquals(OptionalInt.empty(), llama.padId());
        assertEquals(32000, llama.vocabSize());
        assertEquals(OptionalInt.of(15043), llama.tokenId("▁Hello"));
        assertEquals("<0x0A>", llama.token(13));
        HfTokenizer gpt2 = TestTokenizers.load("gpt2");
        assertEquals(OptionalInt.of(50256), gpt2.bosId());
        assertEquals(OptionalInt.of(50256), gpt2.eosId());
        assertEquals(50257, gpt2.vocabSize());
        assertTrue(gpt2.isSpecial(50256));
        assertThrows(IllegalArgumentException.class, () -> gpt2.token(50257));
    }

    @Test
    void aTokenizerJsonPathReadsItsFoldersConfig() {
        HfTokenizer llama = HfTokenizer.load(TestTokenizers.folder("llama").resolve("tokenizer.json"));
        assertEquals(OptionalInt.of(2), llama.eosId());
    }

    @Test
    void llamaRebuildsItsTemplateFromTheConfigFlags() throws IOException {
        String config = "{\"tokenizer_class\":\"LlamaTokenizer\",\"bos_token\":\"<s>\",\"eos_token\":\"</s>\","
                + "\"add_bos_token\":%s,\"add_eos_token\":%s}";
        assertArrayEquals(new int[] {1, 15043, 2}, withConfigLoaded("llama", config.formatted(true, true))
                .encode("Hello", true));
        assertArrayEquals(new int[] {15043}, withConfigLoaded("llama", config.formatted(false, false))
                .encode("Hello", true));
        // Other classes keep tokenizer.json's template whatever the flags say.
        assertArrayEquals(new int[] {1, 15043}, withConfigLoaded("llama",
                "{\"tokenizer_class\":\"PreTrainedTokenizerFast\",\"add_eos_token\":true,\"eos_token\":\"</s>\"}")
                .encode("Hello", true));
        // The class's own defaults fill in what the config leaves out ("</s>" for LLaMA); null means no token.
        assertArrayEquals(new int[] {1, 15043, 2}, withConfigLoaded("llama",
                "{\"tokenizer_class\":\"LlamaTokenizerFast\",\"add_eos_token\":true}").encode("Hello", true));
        String m = messageWithConfig("llama",
                "{\"tokenizer_class\":\"LlamaTokenizerFast\",\"add_eos_token\":true,\"eos_token\":null}");
        assertTrue(m.contains("add_eos_token") && m.contains("eos_token is not set"), m);
    }

    @Test
    void gpt2TakesAddPrefixSpaceFromTheConfig() throws IOException {
        HfTokenizer reference = TestTokenizers.load("gpt2");
        assertArrayEquals(reference.encode(" Hello", false), withConfigLoaded("gpt2",
                "{\"tokenizer_class\":\"GPT2Tokenizer\",\"add_prefix_space\":true}").encode("Hello", false));
        assertArrayEquals(reference.encode("Hello", false), withConfigLoaded("gpt2",
                "{\"tokenizer_class\":\"GPT2Tokenizer\"}").encode("Hello", false));
    }

    @Test
    void specialTokensMapAndGenerationConfigAreRead() throws IOException {
        Path folder = withConfig("llama", "{\"tokenizer_class\":\"LlamaTokenizer\",\"bos_token\":\"<s>\","
                + "\"eos_token\":\"</s>\",\"pad_token\":null}");
        Files.writeString(folder.resolve("special_tokens_map.json"), "{\"pad_token\":{\"content\":\"<unk>\"}}");
        Files.writeString(folder.resolve("generation_config.json"), "{\"eos_token_id\":[2,13]}");
        HfTokenizer t = HfTokenizer.load(folder);
        assertEquals(OptionalInt.of(0), t.padId());
        assertArrayEquals(new int[] {2, 13}, t.stopIds());
    }

    @Test
    void configSpecialTokensBecomeAddedTokens() throws IOException {
        // "▁Hello" is an ordinary vocabulary token; declared as a special token it is matched whole and skipped.
        HfTokenizer t = withConfigLoaded("llama", "{\"tokenizer_class\":\"LlamaTokenizer\",\"bos_token\":\"<s>\","
                + "\"additional_special_tokens\":[\"▁Hello\"]}");
        assertTrue(t.isSpecial(15043));
        assertEquals("", t.decode(new int[] {15043}, true));
    }

    @Test
    void vocabJsonAndMergesTxtLoadLikeGpt2Converter() throws IOException {
        // Rebuild the GPT-2 files OPT ships (vocab.json + merges.txt) from the GPT-2 tokenizer.json.
        JsonNode model = Json.read(TestTokenizers.folder("gpt2").resolve("tokenizer.json")).get("model");
        Path folder = Files.createDirectories(dir.resolve("opt-like"));
        Files.writeString(folder.resolve("vocab.json"), model.get("vocab").toString());
        List<String> merges = new ArrayList<>(List.of("#version: 0.2"));
        model.get("merges").forEach(m -> merges.add(m.asText()));
        Files.write(folder.resolve("merges.txt"), merges);
        HfTokenizer reference = TestTokenizers.load("gpt2");

        Files.writeString(folder.resolve("tokenizer_config.json"), "{\"tokenizer_class\":\"GPT2Tokenizer\","
                + "\"bos_token\":\"<|endoftext|>\",\"eos_token\":\"<|endoftext|>\",\"add_bos_token\":true}");
        HfTokenizer withBos = HfTokenizer.load(folder);
        assertArrayEquals(new int[] {50256, 15496}, withBos.encode("Hello", true));
        for (TestTokenizers.Golden g : TestTokenizers.golden("gpt2")) {
            assertArrayEquals(g.idsNoSpecial(), withBos.encode(g.text(), false), g.name());
            assertEquals(g.decodeNoSpecial(), withBos.decode(g.idsNoSpecial(), false), g.name());
        }

        Files.writeString(folder.resolve("tokenizer_config.json"), "{\"tokenizer_class\":\"GPT2Tokenizer\","
                + "\"bos_token\":\"<|endoftext|>\",\"eos_token\":\"<|endoftext|>\"}");
        assertArrayEquals(reference.encode("Hello", true), HfTokenizer.load(folder).encode("Hello", true));

        Files.writeString(folder.resolve("merges.txt"), "#version: 0.2\nĠ t\nbad line here\n");
        String m = message(folder);
        assertTrue(m.contains("merges.txt:3:"), m);
    }

    @Test
    void cleanUpFollowsTheConfig() throws IOException {
        HfTokenizer t = withConfigLoaded("gpt2", "{\"clean_up_tokenization_spaces\":true}");
        int[] ids = t.encode("a , b . I 'm", false);
        assertEquals("a, b. I'm", t.decode(ids, false));
        assertEquals("a , b . I 'm", TestTokenizers.load("gpt2").decode(ids, false));
    }
}
