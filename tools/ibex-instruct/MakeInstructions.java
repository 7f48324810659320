import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Builds ibex-instruct, a small Alpaca-format instruction dataset, from WordNet 3.0 (Debian wordnet-base,
 * /usr/share/wordnet; Princeton's WordNet licence, a permissive BSD-style licence that asks for its notice) plus
 * arithmetic questions this program makes up. Common words first (WordNet's tagged-sense counts), one held-out
 * set of words never seen in training.
 *
 * <p>Usage: java tools/ibex-instruct/MakeInstructions.java WORDNET_DIR OUT_DIR
 */
public class MakeInstructions {
    record Sense(String lemma, String pos, String gloss, List<String> examples, List<String> synonyms, int tagged) {
    }

    record Rec(String instruction, String output) {
    }

    private static final Map<String, String> POS = Map.of("noun", "a noun", "verb", "a verb", "adj", "an adjective",
            "adv", "an adverb");

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: MakeInstructions WORDNET_DIR OUT_DIR");
            System.exit(2);
        }
        Path wn = Path.of(args[0]);
        Path out = Path.of(args[1]);
        List<Sense> senses = new ArrayList<>();
        Map<String, Set<String>> posOf = new HashMap<>();
        for (String pos : List.of("noun", "verb", "adj", "adv")) {
            Map<String, String> data = new HashMap<>();
            for (String line : Files.readAllLines(wn.resolve("data." + pos), StandardCharsets.ISO_8859_1)) {
                if (!line.startsWith(" ")) {
                    data.put(line.substring(0, 8), line);
                }
            }
            for (String line : Files.readAllLines(wn.resolve("index." + pos), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith(" ")) {
                    continue;
                }
                String[] f = line.split(" ");
                String lemma = f[0];
                posOf.computeIfAbsent(lemma, k -> new HashSet<>()).add(pos);
                int pointers = Integer.parseInt(f[3]);
                int tagged = Integer.parseInt(f[5 + pointers]);
                String offset = f[6 + pointers];
                if (!lemma.matches("[a-z]{3,12}") || tagged < 1) {
                    continue;
                }
                senses.add(sense(lemma, pos, data.get(offset), tagged));
            }
        }
        senses.sort((a, b) -> Integer.compare(b.tagged(), a.tagged()));
        // Hold out every 25th common word: the quickstart's answers and the learning test use words never trained on.
        Set<String> heldOutWords = new HashSet<>();
        Set<String> seen = new HashSet<>();
        for (Sense s : senses) {
            if (seen.add(s.lemma()) && seen.size() % 25 == 0) {
                heldOutWords.add(s.lemma());
            }
        }
        List<Rec> train = new ArrayList<>();
        List<Rec> heldOut = new ArrayList<>();
        Set<String> defined = new HashSet<>();
        int synonyms = 0;
        int partsOfSpeech = 0;
        int examples = 0;
        for (Sense s : senses) {
            List<Rec> target = heldOutWords.contains(s.lemma()) ? heldOut : train;
            String w = "\"" + s.lemma() + "\"";
            if (defined.add(s.lemma()) && defined.size() <= 2400) {
                target.add(new Rec("What does the word " + w + " mean?", "The word " + w + " means " + s.gloss() + "."));
                if (posOf.get(s.lemma()).size() == 1 && partsOfSpeech++ < 600) {
                    target.add(new Rec("What part of speech is the word " + w + "?", "The word " + w + " is "
                            + POS.get(s.pos()) + "."));
                }
                if (!s.synonyms().isEmpty() && synonyms++ < 700) {
                    target.add(new Rec("Give a synonym for " + w + ".", "A synonym for " + w + " is \""
                            + s.synonyms().getFirst() + "\"."));
                }
                for (String example : s.examples()) {
                    if (example.contains(s.lemma()) && examples < 500) {
                        examples++;
                        target.add(new Rec("Use the word " + w + " in a sentence.", "Here is an example: " + example + "."));
                        break;
                    }
                }
            }
        }
        Random random = new Random(42);
        Set<String> asked = new HashSet<>();
        for (int i = 0; i < 600; i++) {
            int a = random.nextInt(60);
            int b = random.nextInt(60);
            boolean plus = random.nextBoolean() || a < b;
            Rec r = plus ? new Rec("What is " + a + " plus " + b + "?", a + " plus " + b + " is " + (a + b) + ".")
                    : new Rec("What is " + a + " minus " + b + "?", a + " minus " + b + " is " + (a - b) + ".");
            if (asked.add(r.instruction())) { // each question once, so held-out ones are never trained on
                (i % 25 == 0 ? heldOut : train).add(r);
            }
        }
        Collections.shuffle(train, new Random(7));
        Files.createDirectories(out);
        write(out.resolve("train.jsonl"), train);
        write(out.resolve("heldout.jsonl"), heldOut);
        System.out.printf("wrote %d training and %d held-out records to %s%n", train.size(), heldOut.size(), out);
    }

    /** One synset line: "offset lex type w_cnt word lex_id ... p_cnt ptrs... | gloss". */
    static Sense sense(String lemma, String pos, String line, int tagged) {
        String[] head = line.substring(0, line.indexOf(" | ")).split(" ");
        int words = Integer.parseInt(head[3], 16);
        List<String> synonyms = new ArrayList<>();
        for (int i = 0; i < words; i++) {
            String word = head[4 + 2 * i].replaceAll("\\(.*\\)", "");
            if (!word.equals(lemma) && word.matches("[a-z]{3,14}")) {
                synonyms.add(word);
            }
        }
        String gloss = line.substring(line.indexOf(" | ") + 3).strip();
        List<String> examples = new ArrayList<>();
        String definition = gloss;
        int quote = gloss.indexOf("; \"");
        if (quote >= 0) {
            definition = gloss.substring(0, quote);
            for (String part : gloss.substring(quote + 2).split(";")) {
                String e = part.strip();
                if (e.startsWith("\"") && e.endsWith("\"") && e.length() > 10) {
                    examples.add(e.substring(1, e.length() - 1));
                }
            }
        }
        definition = definition.replaceAll("\\s+", " ").strip();
        return new Sense(lemma, pos, definition, examples, synonyms, tagged);
    }

    static void write(Path file, List<Rec> records) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Rec r : records) {
                w.write("{\"instruction\": \"" + escape(r.instruction()) + "\", \"input\": \"\", \"output\": \""
                        + escape(r.output()) + "\"}\n");
            }
        }
    }

    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
