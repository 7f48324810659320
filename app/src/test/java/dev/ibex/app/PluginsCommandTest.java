package dev.ibex.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PluginsCommandTest {
    @Test
    void listsTheCpuBackendAsAvailable() {
        String out = Cli.run("plugins").expect(0).out();
        assertTrue(out.lines().anyMatch(l -> l.startsWith("backend") && l.contains("cpu") && l.contains("available")),
                out);
    }
}
