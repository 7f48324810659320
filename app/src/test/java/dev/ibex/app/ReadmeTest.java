package dev.ibex.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.api.run.RunKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    void everyExampleTheReadmeNamesExists() throws IOException {
        String readme = Files.readString(README);
        try (Stream<Path> s = Files.list(Path.of("../examples"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                assertTrue(readme.contains(p.getFileName().toString()), "README.md does not mention " + p);
            }
        }
    }

    /** The markdown table of every key, in RunKeys' order. */
    static String keyTable() {
        return "| key | type | default | what it does |\n|---|---|---|---|\n" + RunKeys.all().values().stream()
                .map(k -> "| `" + k.name() + "` | " + k.kind().name().toLowerCase().replace('_', ' ') + " | "
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
