package dev.ibex.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class PluginsCommandTest {
    @Test
    void listsTheCpuBackendAsAvailable() {
        StringWriter out = new StringWriter();
        int code = Main.run(new String[] {"plugins"}, new PrintWriter(out), new PrintWriter(new StringWriter()));
        assertEquals(0, code);
        assertTrue(out.toString().lines().anyMatch(l -> l.startsWith("backend") && l.contains("cpu") && l.contains("available")),
                out.toString());
    }
}
