package dev.ibex.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.api.run.RunKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README tells the truth about what the code accepts: its key table is RunKeys, its examples exist. */
class ReadmeTest {
    private static final Path README = Path.of("../README.md");

    @Test
    void theKeyTableIsEveryKeyTheParserAccepts() throws IOException {
        String table = keyTable();
        Path expected = Path.of("target/readme-keys.md");
        Files.writeString(expected, table);
        assertTrue(Files.readString(README).contains(table),
                "README.md's key table is out of date: replace it with " + expected.toAbsolutePath());
    }

    @Test
    void theReadmeNamesEveryExampleAndEveryExampleItNamesExists() throws IOException {
        String readme = Files.readString(README);
        Set<String> files;
        try (Stream<Path> s = Files.list(Path.of("../examples"))) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).collect(Collectors.toSet());
        }
        Set<String> named = new TreeSet<>();
        Matcher m = Pattern.compile("[\\w-]+\\.yaml").matcher(readme);
        while (m.find()) {
            named.add(m.group());
        }
        named.remove("run.yaml"); // the README's example of a typo message names a user's file
        assertTrue(named.containsAll(files), "README.md does not name " + files.stream().filter(f -> !named.contains(f)).toList());
        for (String name : named) {
            boolean exists = files.contains(name) || Files.isRegularFile(Path.of("..").resolve(findIn(readme, name)));
            assertTrue(exists, "README.md names " + name + ", which is not in examples/ nor at the path it gives");
        }
    }

    /** The path the README writes before {@code name} (e.g. {@code tools/ibex-tiny/pretrain.yaml}), or the name. */
    private static String findIn(String readme, String name) {
        Matcher m = Pattern.compile("[\\w./-]*" + Pattern.quote(name)).matcher(readme);
        return m.find() ? m.group() : name;
    }

    /** The markdown table of every key, in RunKeys' order. */
    static String keyTable() {
        return "| key | type | default | what it does |\n|---|---|---|---|\n" + RunKeys.all().values().stream()
                .map(k -> "| `" + k.name() + "` | " + k.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " | "
                        + fallback(k.fallback()) + " | " + k.description().replace("|", "\\|") + " |")
                .collect(Collectors.joining("\n")) + "\n";
    }

    private static String fallback(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "" : "`" + list + "`";
        }
        return "`" + value + "`";
    }
}
