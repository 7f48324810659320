package dev.ibex.api.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/** The hand-written GPT-2 splitter against the same regex in Java's engine. */
class Gpt2SplitTest {

    static List<String> scanner(String s) {
        List<String> out = new ArrayList<>();
        Gpt2Split.split(s, (start, end) -> out.add(s.substring(start, end)));
        return out;
    }

    static List<String> regex(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = Gpt2Split.PATTERN.matcher(s);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    @Test
    void knownSplits() {
        assertEquals(List.of("a", "  ", " b"), scanner("a   b"));
        assertEquals(List.of("Hello", " world", ",", " how", "'s", " it", "?"), scanner("Hello world, how's it?"));
        // Contractions are case-sensitive: "'M" is punctuation then a letter.
        assertEquals(List.of("I", "'", "M", " fine"), scanner("I'M fine"));
        assertEquals(List.of("x", "\n", "\n", "y"), scanner("x\n\ny"));
        assertEquals(List.of(" ", " 12", "\t\n"), scanner("  12\t\n"));
    }

    @Test
    void agreesWithTheRegexOnGoldenTexts() {
        for (TestTokenizers.Golden g : TestTokenizers.golden("gpt2")) {
            assertEquals(regex(g.text()), scanner(g.text()), g.name());
        }
    }

    @Test
    void agreesWithTheRegexOnRandomText() {
        String[] pool = {"a", "Z", "é", "ß", "中", "ж", "7", "٣", "½", " ", " ", "  ", "\t", "\n", "\r", "\u00A0", "\u2003",
            "\u0085", "'", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", ".", ",", "!", "-", "😀", "👩‍💻", "\u0301",
            "\uFEFF", "\u200B", "$", "_", "ǅ", "ʰ", "Ⅻ"};
        Random random = new Random(42);
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(25);
            for (int j = 0; j < n; j++) {
                sb.append(pool[random.nextInt(pool.length)]);
            }
            String s = sb.toString();
            assertEquals(regex(s), scanner(s), () -> "for " + s.codePoints().mapToObj(Integer::toHexString).toList());
        }
    }
}
