package dev.ibex.api.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.api.internal.Json;
import org.junit.jupiter.api.Test;

/** Added tokens on a character-level vocabulary, where every other character is its own id. */
class AddedTokensTest {

    /** Vocabulary: ' ' = 0, 'a'..'z' = 1..26, 'A'..'Z' = 27..52; no merges. */
    static HfTokenizer tokenizer(String addedTokens, String normalizer) {
        StringBuilder vocab = new StringBuilder("{\" \":0");
        for (char c = 'a'; c <= 'z'; c++) {
            vocab.append(",\"").append(c).append("\":").append(c - 'a' + 1);
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            vocab.append(",\"").append(c).append("\":").append(c - 'A' + 27);
        }
        vocab.append('}');
        String json = "{\"version\":\"1.0\",\"added_tokens\":[" + addedTokens + "],\"normalizer\":" + normalizer
                + ",\"pre_tokenizer\":null,\"post_processor\":null,\"decoder\":null,"
                + "\"model\":{\"type\":\"BPE\",\"vocab\":" + vocab + ",\"merges\":[]}}";
        return TokenizerLoader.build(Json.parse(json, "test.json"), TokenizerConfig.NONE, "test.json");
    }

    static String token(int id, String content, String flags) {
        return "{\"id\":" + id + ",\"content\":\"" + content + "\"," + flags + "}";
    }

    private static final String PLAIN = "\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,"
            + "\"special\":true";

    @Test
    void newTokensTakeIdsAfterTheVocabulary() {
        HfTokenizer t = tokenizer(token(53, "<x>", PLAIN) + "," + token(54, "<yy>", PLAIN), "null");
        assertEquals(55, t.vocabSize());
        assertArrayEquals(new int[] {1, 53, 2, 54, 3}, t.encode("a<x>b<yy>c", false));
        assertTrue(t.isSpecial(53));
        assertFalse(t.isSpecial(1));
        assertEquals("<x>", t.token(53));
    }

    @Test
    void theLongestTokenStartingLeftmostWins() {
        HfTokenizer t = tokenizer(token(53, "<a>", PLAIN) + "," + token(54, "<a><b>", PLAIN), "null");
        assertArrayEquals(new int[] {54, 53}, t.encode("<a><b><a>", false));
    }

    @Test
    void lstripAndRstripSwallowWhitespace() {
        String flags = "\"single_word\":false,\"lstrip\":true,\"rstrip\":true,\"normalized\":false,\"special\":true";
        HfTokenizer t = tokenizer(token(53, "<m>", flags), "null");
        assertArrayEquals(new int[] {1, 53, 2}, t.encode("a  <m>\t b", false));
        assertArrayEquals(new int[] {1, 0, 53}, tokenizer(token(53, "<m>", PLAIN), "null").encode("a <m>", false));
    }

    @Test
    void singleWordTokensOnlyMatchBetweenNonWordCharacters() {
        String flags = "\"single_word\":true,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":false";
        HfTokenizer t = tokenizer(token(53, "ok", flags), "null");
        assertArrayEquals(new int[] {0, 53, 0}, t.encode(" ok ", false));
        assertArrayEquals(new int[] {1, 15, 11}, t.encode("aok", false));
    }

    @Test
    void normalizedTokensAreFoundAfterTheNormalizer() {
        String normalized = "\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":true,"
                + "\"special\":false";
        HfTokenizer t = tokenizer(token(53, "hi", normalized) + "," + token(54, "AB", PLAIN),
                "{\"type\":\"Lowercase\"}");
        // "HI" lower-cases to "hi", an added token; "AB" is matched before normalization, so its case must match.
        assertArrayEquals(new int[] {53, 0, 54, 0, 1, 2}, t.encode("HI AB Ab", false));
    }

    @Test
    void specialTokenTextCanBeEncodedAsPlainText() {
        HfTokenizer llama = TestTokenizers.load("llama");
        assertArrayEquals(new int[] {1, 2}, llama.encode("<s></s>", false));
        int[] literal = llama.encode("<s></s>", false, false);
        assertFalse(java.util.Arrays.stream(literal).anyMatch(id -> id == 1 || id == 2), java.util.Arrays.toString(literal));
        assertEquals("<s></s>", llama.decode(literal, false));
        HfTokenizer gpt2 = TestTokenizers.load("gpt2");
        assertArrayEquals(new int[] {50256}, gpt2.encode("<|endoftext|>", false));
        int[] text = gpt2.encode("<|endoftext|>", false, false);
        assertTrue(text.length > 1 && java.util.Arrays.stream(text).noneMatch(id -> id == 50256));
        assertEquals("<|endoftext|>", gpt2.decode(text, false));
    }

    @Test
    void decodingSkipsOnlySpecialTokens() {
        String notSpecial = "\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,"
                + "\"special\":false";
        HfTokenizer t = tokenizer(token(53, "<s>", PLAIN) + "," + token(54, "<t>", notSpecial), "null");
        int[] ids = t.encode("<s>a<t>", false);
        assertArrayEquals(new int[] {53, 1, 54}, ids);
        // Without a decoder, tokens are joined by spaces, as in the Rust crate.
        assertEquals("<s> a <t>", t.decode(ids, false));
        assertEquals("a <t>", t.decode(ids, true));
    }
}
