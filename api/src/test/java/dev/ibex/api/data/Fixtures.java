package dev.ibex.api.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The dataset fixtures in {@code src/test/resources/data}, read in place (tests run from the module folder). */
final class Fixtures {
    static final Path DIR = Path.of("src", "test", "resources", "data");

    private Fixtures() {
    }

    static Path path(String name) {
        Path p = DIR.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("missing fixture " + p.toAbsolutePath());
        }
        return p;
    }

    static Dataset load(String name, String type) {
        return Datasets.load(new DatasetSpec(path(name), type));
    }

    static Dataset load(String name, String type, Map<String, Object> options) {
        return Datasets.load(new DatasetSpec(path(name), type, options));
    }

    static String at(String name, int line) {
        return path(name) + ":" + line;
    }

    static List<String> locations(Dataset d) {
        return d.examples().stream().map(Example::location).toList();
    }
}
