package dev.ibex.backend.tornado.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ibex.api.io.SafetensorsFile;
import dev.ibex.api.model.LoadOptions;
import dev.ibex.api.model.Model;
import dev.ibex.api.model.ModelLoader;
import dev.ibex.api.plugin.Plugins;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.apache.arrow.memory.RootAllocator;

/**
 * The golden fixtures made by transformers v4.36.2 / peft v0.7.1, shared with the app module's golden tests (read
 * in place from app/src/test/resources/golden; see its README.md), and models loaded on the tornado backend.
 */
final class Golden {
    static final Path ROOT = Path.of("../app/src/test/resources/golden");

    private Golden() {
    }

    static Path dir(String name) {
        return ROOT.resolve(name);
    }

    /** A golden model folder loaded on the tornado backend, named explicitly so no other backend can stand in. */
    static Model load(Path dir, LoadOptions options) {
        return new ModelLoader(Plugins.installed(), msg -> { }).load(dir, options.withBackend("tornado"));
    }

    static JsonNode json(String folder, String file) {
        try {
            return new ObjectMapper().readTree(dir(folder).resolve(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** All floats of one tensor of a fixture file. */
    static float[] floats(String folder, String file, String tensor) {
        try (RootAllocator allocator = new RootAllocator();
             SafetensorsFile f = SafetensorsFile.open(dir(folder).resolve(file), allocator)) {
            return f.get(tensor).toFloatArray();
        }
    }

    static int[][] ids(JsonNode list) {
        int[][] out = new int[list.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = ints(list.get(i));
        }
        return out;
    }

    static int[] ints(JsonNode list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i).asInt();
        }
        return out;
    }

    /** Asserts {@code max |expected - actual| <= tolerance} over {@code [from, from+n)} of both arrays. */
    static void assertMaxAbs(float[] expected, int expectedFrom, float[] actual, int actualFrom, int n,
                             double tolerance, String what) {
        double worst = 0;
        int at = -1;
        for (int i = 0; i < n; i++) {
            double d = Math.abs((double) expected[expectedFrom + i] - actual[actualFrom + i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        int worstAt = at;
        double worstDiff = worst;
        assertTrue(worst <= tolerance, () -> what + ": max |diff| " + worstDiff + " > " + tolerance + " at " + worstAt
                + " (expected " + expected[expectedFrom + worstAt] + ", got " + actual[actualFrom + worstAt] + ")");
    }

    static void assertMaxAbs(float[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        assertMaxAbs(expected, 0, actual, 0, expected.length, tolerance, what);
    }
}
