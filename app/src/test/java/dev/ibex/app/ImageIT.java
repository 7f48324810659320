package dev.ibex.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented image commands, after packaging: {@code bin/build-image} makes a jlink runtime whose
 * {@code bin/ibex} runs with no JDK on the machine (an empty environment: no PATH, no JAVA_HOME), and
 * {@code --without} leaves a plugin out, which {@code ibex plugins} then no longer lists.
 */
class ImageIT {
    @TempDir
    Path tmp;

    record Run(int code, String out) {
    }

    static Run run(List<String> command, Map<String, String> env, boolean clearEnv) throws IOException, InterruptedException {
        Path log = Files.createTempFile("image-it", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(Path.of("..").toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        if (clearEnv) {
            pb.environment().clear();
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        assertTrue(done, "timed out: " + command + "\n" + out);
        return new Run(p.exitValue(), out);
    }

    @Test
    void theImageRunsWithoutAJdkAndLeavesOutWhatItIsTold() throws Exception {
        Path full = tmp.resolve("full");
        Path lean = tmp.resolve("lean");
        Map<String, String> skip = Map.of("IBEX_SKIP_BUILD", "1"); // the reactor packaged the modules already
        Run built = run(List.of("sh", "bin/build-image", "--out", full.toString()), skip, false);
        assertEquals(0, built.code(), built.out());
        Run leaner = run(List.of("sh", "bin/build-image", "--without", "dev.ibex.quant.int8", "--out", lean.toString()),
                skip, false);
        assertEquals(0, leaner.code(), leaner.out());

        Map<String, String> nothing = Map.of("PATH", "/nonexistent");
        Run plugins = run(List.of(full.resolve("bin/ibex").toString(), "plugins"), nothing, true);
        assertEquals(0, plugins.code(), plugins.out());
        assertTrue(plugins.out().contains("dev.ibex.quant.int8"), plugins.out());
        assertTrue(plugins.out().contains("dev.ibex.backend.cpu"), plugins.out());
        assertTrue(Files.isRegularFile(full.resolve("bin/java")), "the image carries its own runtime");

        Run without = run(List.of(lean.resolve("bin/ibex").toString(), "plugins"), nothing, true);
        assertEquals(0, without.code(), without.out());
        assertFalse(without.out().contains("dev.ibex.quant.int8"), without.out());
        assertTrue(without.out().contains("dev.ibex.quant.nf4"), without.out());

        Run inspect = run(List.of(full.resolve("bin/ibex").toString(), "inspect",
                Path.of("src/test/resources/golden/llama").toAbsolutePath().toString()), nothing, true);
        assertEquals(0, inspect.code(), inspect.out());
        assertTrue(inspect.out().contains("architecture  llama"), inspect.out());
    }
}
