package dev.ibex.api.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.api.internal.Json;
import dev.ibex.spi.IbexException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The BPE model on small hand-made vocabularies, each pinning one rule of the Rust crate. */
class BpeTest {

    /** A BPE model from the JSON of tokenizer.json's "model". */
    static Bpe bpe(String modelJson) {
        return new TokenizerJson("test.json").model(Json.parse(modelJson, "test.json"), 100);
    }

    static int[] ids(Bpe bpe, String piece) {
        IntList out = new IntList(4);
        bpe.tokenize(piece, out);
        return out.toArray();
    }

    private static final String ABC = "\"vocab\":{\"a\":0,\"b\":1,\"c\":2,\"ab\":3,\"bc\":4,\"abc\":5,\"aa\":6}";

    @Test
    void lowerRankMergesFirst() {
        assertArrayEquals(new int[] {3, 2}, ids(bpe("{\"type\":\"BPE\"," + ABC + ",\"merges\":[\"a b\",\"b c\"]}"), "abc"));
        assertArrayEquals(new int[] {0, 4}, ids(bpe("{\"type\":\"BPE\"," + ABC + ",\"merges\":[\"b c\",\"a b\"]}"), "abc"));
        assertArrayEquals(new int[] {5}, ids(bpe("{\"type\":\"BPE\"," + ABC + ",\"merges\":[[\"b\",\"c\"],[\"a\",\"bc\"]]}"), "abc"));
    }

    @Test
    void leftmostWinsATie() {
        assertArrayEquals(new int[] {6, 0}, ids(bpe("{\"type\":\"BPE\"," + ABC + ",\"merges\":[\"a a\"]}"), "aaa"));
    }

    @Test
    void byteFallbackSpellsUnknownCharactersAsBytes() {
        Bpe bpe = bpe("{\"type\":\"BPE\",\"byte_fallback\":true,\"unk_token\":\"<unk>\",\"vocab\":{\"<unk>\":0,\"a\":1,"
                + "\"<0xC3>\":2,\"<0xA9>\":3},\"merges\":[]}");
        assertArrayEquals(new int[] {1, 2, 3, 1}, ids(bpe, "aéa"));
        // "ü" is C3 BC: one byte has no token, so the character is unknown instead.
        assertArrayEquals(new int[] {1, 0}, ids(bpe, "aü"));
    }

    @Test
    void unknownCharactersFuseOnlyWhenAsked() {
        String vocab = "\"unk_token\":\"<unk>\",\"vocab\":{\"<unk>\":0,\"a\":1},\"merges\":[]";
        assertArrayEquals(new int[] {1, 0, 1}, ids(bpe("{\"type\":\"BPE\",\"fuse_unk\":true," + vocab + "}"), "axya"));
        assertArrayEquals(new int[] {1, 0, 0, 1}, ids(bpe("{\"type\":\"BPE\",\"fuse_unk\":false," + vocab + "}"), "axya"));
        // Without an unknown token the Rust crate drops the character.
        assertArrayEquals(new int[] {1, 1}, ids(bpe("{\"type\":\"BPE\",\"vocab\":{\"a\":1},\"merges\":[]}"), "axa"));
    }

    @Test
    void ignoreMergesTakesWholeWordsFromTheVocabulary() {
        String model = ABC + ",\"merges\":[\"a b\"]";
        assertArrayEquals(new int[] {3, 2}, ids(bpe("{\"type\":\"BPE\"," + model + "}"), "abc"));
        assertArrayEquals(new int[] {5}, ids(bpe("{\"type\":\"BPE\",\"ignore_merges\":true," + model + "}"), "abc"));
    }

    @Test
    void subwordPrefixAndWordSuffix() {
        Bpe prefix = bpe("{\"type\":\"BPE\",\"continuing_subword_prefix\":\"##\",\"vocab\":{\"a\":0,\"##b\":1,\"##c\":2,"
                + "\"ab\":3,\"abc\":4},\"merges\":[\"a ##b\",\"ab ##c\"]}");
        assertArrayEquals(new int[] {4}, ids(prefix, "abc"));
        assertArrayEquals(new int[] {3, 1}, ids(prefix, "abb"));
        Bpe suffix = bpe("{\"type\":\"BPE\",\"end_of_word_suffix\":\"</w>\",\"vocab\":{\"a\":0,\"b</w>\":1,\"ab</w>\":2},"
                + "\"merges\":[\"a b</w>\"]}");
        assertArrayEquals(new int[] {2}, ids(suffix, "ab"));
    }

    @Test
    void mergesMustUseVocabularyTokens() {
        IbexException e = assertThrows(IbexException.class,
                () -> bpe("{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[\"a z\"]}"));
        assertTrue(e.getMessage().contains("test.json") && e.getMessage().contains("'z'"), e.getMessage());
        e = assertThrows(IbexException.class, () -> bpe("{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[\"a a a\"]}"));
        assertTrue(e.getMessage().contains("merge 0"), e.getMessage());
    }

    @Test
    void cuttingBeforeWordBoundariesChangesNothing() throws Exception {
        // LLaMA's vocabulary never has "▁" after another character, so a long SentencePiece-style piece may be
        // merged word by word; check that against one merge of the whole piece.
        var root = Json.read(TestTokenizers.folder("llama").resolve("tokenizer.json"));
        Bpe llama = new TokenizerJson("llama").model(root.path("model"), 1000);
        String[] pool = {"▁", "▁▁", "▁▁▁▁", "the", "a", "ing", "▁the", "é", "中", "😀", "\n", "1", "23", ",", "'s", "x"};
        Random random = new Random(7);
        for (int i = 0; i < 300; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = random.nextInt(60); j > 0; j--) {
                sb.append(pool[random.nextInt(pool.length)]);
            }
            String piece = sb.toString();
            assertArrayEquals(llama.mergeWhole(piece), ids(llama, piece), piece);
        }
    }
}
