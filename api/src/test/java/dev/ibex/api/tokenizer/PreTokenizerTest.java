package dev.ibex.api.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ibex.api.internal.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Pre-tokenizers and split behaviours, with the expectations of the Rust crate's own unit tests. */
class PreTokenizerTest {

    static List<String> pieces(PreTokenizer p, String text) {
        List<String> out = new ArrayList<>();
        p.split(text, true, (piece, first) -> out.add(piece));
        return out;
    }

    static PreTokenizer parse(String json) {
        return new TokenizerJson("test.json").preTokenizer(Json.parse(json, "test.json"));
    }

    @Test
    void splitBehavioursOnACharacter() {
        String s = "The-final--countdown";
        assertEquals(List.of("The", "final", "countdown"), split(SplitBehavior.REMOVED, s));
        assertEquals(List.of("The", "-", "final", "-", "-", "countdown"), split(SplitBehavior.ISOLATED, s));
        assertEquals(List.of("The-", "final-", "-", "countdown"), split(SplitBehavior.MERGED_WITH_PREVIOUS, s));
        assertEquals(List.of("The", "-final", "-", "-countdown"), split(SplitBehavior.MERGED_WITH_NEXT, s));
        assertEquals(List.of("The", "-", "final", "--", "countdown"), split(SplitBehavior.CONTIGUOUS, s));
    }

    private static List<String> split(SplitBehavior b, String s) {
        List<String> out = new ArrayList<>();
        b.split(s, c -> c == '-', true, (piece, first) -> out.add(piece));
        return out;
    }

    @Test
    void invertedRegexSplitKeepsTheMatches() {
        String s = "How are you doing?";
        String regex = "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\w+|[^\\\\w\\\\s]+\"},\"invert\":true,\"behavior\":\"%s\"}";
        assertEquals(List.of("How", "are", "you", "doing", "?"), pieces(parse(regex.formatted("Removed")), s));
        assertEquals(List.of("How", " ", "are", " ", "you", " ", "doing", "?"),
                pieces(parse(regex.formatted("Isolated")), s));
        assertEquals(List.of("How ", "are ", "you ", "doing", "?"),
                pieces(parse(regex.formatted("MergedWithPrevious")), s));
        assertEquals(List.of("How", " are", " you", " doing", "?"), pieces(parse(regex.formatted("MergedWithNext")), s));
        // Two adjacent non-matches merge under Contiguous: "doing" and "?".
        assertEquals(List.of("How", " ", "are", " ", "you", " ", "doing?"), pieces(parse(regex.formatted("Contiguous")), s));
    }

    @Test
    void stringPatternIsLiteral() {
        PreTokenizer p = parse("{\"type\":\"Split\",\"pattern\":{\"String\":\".\"},\"behavior\":\"Removed\",\"invert\":false}");
        assertEquals(List.of("a", "b c", "d"), pieces(p, "a.b c.d"));
    }

    @Test
    void metaspace() {
        PreTokenizer split = new PreTokenizer.Metaspace("▁", PreTokenizer.PrependScheme.ALWAYS, true);
        assertEquals(List.of("▁Hey", "▁friend!"), pieces(split, "Hey friend!"));
        assertEquals(List.of("▁Hey", "▁", "▁", "▁friend!"), pieces(split, "Hey   friend!"));
        PreTokenizer whole = new PreTokenizer.Metaspace("▁", PreTokenizer.PrependScheme.FIRST, false);
        assertEquals(List.of("▁Hey▁friend!"), pieces(whole, "Hey friend!"));
        List<String> notFirst = new ArrayList<>();
        whole.split("Hey", false, (piece, first) -> notFirst.add(piece));
        assertEquals(List.of("Hey"), notFirst, "'first' prepends only at the start of the input");
        PreTokenizer never = new PreTokenizer.Metaspace("▁", PreTokenizer.PrependScheme.NEVER, false);
        assertEquals(List.of("Hey▁friend"), pieces(never, "Hey friend"));
    }

    @Test
    void digitsPunctuationAndWhitespace() {
        assertEquals(List.of("Hey ", "1", "2", "3", " friend!"), pieces(new PreTokenizer.Digits(true), "Hey 123 friend!"));
        assertEquals(List.of("Hey ", "123", " friend!"), pieces(new PreTokenizer.Digits(false), "Hey 123 friend!"));
        assertEquals(List.of("Hey friend", "!", "     How are you", "?", "!", "?"),
                pieces(new PreTokenizer.Punctuation(SplitBehavior.ISOLATED), "Hey friend!     How are you?!?"));
        assertEquals(List.of("Hey", "man", "!"), pieces(new PreTokenizer.Whitespace(), "Hey man!"));
        assertEquals(List.of(), pieces(new PreTokenizer.Whitespace(), "\n"));
        assertEquals(List.of("Hey", "man!"), pieces(new PreTokenizer.WhitespaceSplit(), "Hey\u00A0man!"));
        assertEquals(List.of("Hey", "friend", "!", "How", "are", "you", "?", "!", "?"),
                pieces(new PreTokenizer.Bert(), "Hey friend!     How are you?!?"));
        assertEquals(List.of("a", "b"), pieces(new PreTokenizer.CharDelimiter('|'), "a|b|"));
    }

    @Test
    void byteLevelMapsBytesToTheAlphabet() {
        assertEquals(List.of("Hello", "Ġmy", "Ġfriend", ",", "Ġhow", "Ġis", "Ġyour", "Ġday", "Ġgoing", "?"),
                pieces(new PreTokenizer.ByteLevelSplit(false, true), "Hello my friend, how is your day going?"));
        assertEquals(List.of("ĠHello"), pieces(new PreTokenizer.ByteLevelSplit(true, true), "Hello"));
        assertEquals(List.of("Ã©Ċ"), pieces(new PreTokenizer.ByteLevelSplit(false, false), "é\n"));
    }

    @Test
    void sequenceAppliesEachStepToEveryPiece() {
        // Falcon's shape: punctuation, byte level, then three-digit groups.
        PreTokenizer falcon = parse("""
                {"type":"Sequence","pretokenizers":[
                  {"type":"Punctuation","behavior":"Contiguous"},
                  {"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},
                  {"type":"Digits","individual_digits":false},
                  {"type":"Split","pattern":{"Regex":"[0-9][0-9][0-9]"},"behavior":"Isolated","invert":false}]}""");
        assertEquals(List.of("Pay", "Ġ", "123", "456", "7", "!!"), pieces(falcon, "Pay 1234567!!"));
    }

    @Test
    void llama3StyleSplitThenByteLevelWithoutRegex() {
        PreTokenizer p = parse("""
                {"type":"Sequence","pretokenizers":[
                  {"type":"Split","pattern":{"Regex":"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}{1,3}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+"},
                   "behavior":"Isolated","invert":false},
                  {"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":false}]}""");
        assertEquals(List.of("Hello", "Ġworld", "'S", "Ġ", "123", "45", "!ĊĊ"), pieces(p, "Hello world'S 12345!\n\n"));
    }

    @Test
    void regexSplitUsesUnicodeWhitespace() {
        PreTokenizer p = new PreTokenizer.Split(Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS),
                SplitBehavior.REMOVED, false);
        assertEquals(List.of("a", "b", "c"), pieces(p, "a\u3000b\u00A0c"));
    }
}
