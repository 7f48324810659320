package dev.ibex.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.api.run.RunConfig;
import dev.ibex.api.run.RunConfigParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every example run in examples/ is a valid run file (the seed recipes of the README). */
class ExamplesTest {
    @Test
    void everyExampleParses() throws IOException {
        List<Path> examples;
        try (Stream<Path> s = Files.list(Path.of("../examples"))) {
            examples = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(examples.size() >= 6, examples.toString());
        for (Path p : examples) {
            RunConfig c = RunConfigParser.parse(p);
            assertFalse(c.data().datasets().isEmpty(), p.toString());
        }
    }

    @Test
    void theQuickstartUsesTheBundledModelAndData() {
        RunConfig c = RunConfigParser.parse(Path.of("../examples/quickstart.yaml"));
        assertTrue(Files.isRegularFile(c.data().datasets().getFirst().path()), "ibex-instruct is bundled");
        assertTrue(Files.isRegularFile(c.model().baseModel().resolve("config.json")), "ibex-tiny is bundled");
        assertTrue(c.adapter().lora());
        assertFalse(c.generation().testPrompts().isEmpty());
    }
}
