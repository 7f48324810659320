package dev.ibex.api.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Decoding one id at a time, as generation does. */
class StreamDecoderTest {

    static List<String> pieces(HfTokenizer tokenizer, int[] ids, boolean skipSpecial) {
        StreamDecoder decoder = tokenizer.streamDecoder(skipSpecial);
        List<String> out = new ArrayList<>();
        for (int id : ids) {
            out.add(decoder.next(id));
        }
        out.add(decoder.finish());
        return out;
    }

    @Test
    void wordsComeOutWithTheirSpaces() {
        HfTokenizer llama = TestTokenizers.load("llama");
        int[] ids = llama.encode("Hello world", true);
        assertEquals(List.of("<s>", " Hello", " world", ""), pieces(llama, ids, false));
        assertEquals(List.of("", "Hello", " world", ""), pieces(llama, ids, true));
    }

    @Test
    void aSpaceTokenAfterTheFirstIsNotStripped() {
        HfTokenizer llama = TestTokenizers.load("llama");
        // "▁" (29871) alone, after "Hello": a decode of it alone would strip it as the text's leading space.
        int[] ids = llama.encode("Hello  world", false);
        assertEquals(List.of("Hello", " ", " world", ""), pieces(llama, ids, false));
        HfTokenizer mistral = TestTokenizers.load("mistral");
        int[] spaces = mistral.encode("a \n b", false);
        assertEquals(mistral.decode(spaces, false), String.join("", pieces(mistral, spaces, false)));
    }

    @Test
    void byteFallbackCharactersComeWholeWithTheNextToken() {
        HfTokenizer llama = TestTokenizers.load("llama");
        int[] ids = llama.encode("🦙 ok", false);
        List<String> pieces = pieces(llama, ids, false);
        assertEquals(String.join("", pieces), llama.decode(ids, false));
        // "▁", four byte tokens, "▁ok": the emoji is held until the run of bytes is closed by "▁ok".
        assertEquals(7, pieces.size(), pieces::toString);
        assertEquals(List.of("", "", "", "", "", "🦙 ok", ""), pieces);
    }

    @Test
    void byteLevelCharactersSplitAcrossTokensComeWhole() {
        HfTokenizer gpt2 = TestTokenizers.load("gpt2");
        int[] ids = gpt2.encode("中文字 😀!", false);
        List<String> pieces = pieces(gpt2, ids, false);
        assertEquals("中文字 😀!", String.join("", pieces));
        for (String piece : pieces) {
            assertFalse(piece.contains("\uFFFD"), piece);
        }
    }

    @Test
    void aStreamThatEndsInsideACharacterFlushesOnFinish() {
        HfTokenizer gpt2 = TestTokenizers.load("gpt2");
        int[] ids = gpt2.encode("😀", false);
        int[] cut = java.util.Arrays.copyOf(ids, ids.length - 1);
        List<String> pieces = pieces(gpt2, cut, false);
        assertEquals(gpt2.decode(cut, false), String.join("", pieces));
        assertEquals("", String.join("", pieces.subList(0, pieces.size() - 1)), "nothing before finish");
    }

    @Test
    void randomIdsStreamToTheFullDecode() {
        // Models can sample anything, including byte tokens that form invalid UTF-8; the stream must still agree.
        Random random = new Random(3);
        for (String name : TestTokenizers.NAMES) {
            HfTokenizer tokenizer = TestTokenizers.load(name);
            for (int round = 0; round < 200; round++) {
                int[] ids = new int[random.nextInt(12)];
                for (int i = 0; i < ids.length; i++) {
                    // Bias towards specials and byte tokens (ids 0-258 in LLaMA/Mistral), where the hard cases are.
                    ids[i] = random.nextInt(4) == 0 ? random.nextInt(300) : random.nextInt(tokenizer.vocabSize());
                }
                for (boolean skip : new boolean[] {false, true}) {
                    assertEquals(tokenizer.decode(ids, skip), String.join("", pieces(tokenizer, ids, skip)),
                            name + " " + java.util.Arrays.toString(ids) + " skip=" + skip);
                }
            }
        }
    }
}
