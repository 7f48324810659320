package dev.ibex.app.golden;

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
 * Access to the golden fixtures made by transformers v4.36.2 / peft v0.7.1 (see golden/README.md). Another
 * module's tests that run the golden suite on their backend (backend-tornado-gpu) point {@code -Dibex.golden} at
 * this folder.
 */
public final class Golden {
    public static final Path ROOT = Path.of(System.getProperty("ibex.golden", "src/test/resources/golden"));

    private Golden() {
    }

    public static Path dir(String name) {
        return ROOT.resolve(name);
    }

    public static JsonNode json(String folder, String file) {
        return json(dir(folder), file);
    }

    /** A JSON file of any fixture folder (golden or reference). */
    public static JsonNode json(Path folder, String file) {
        try {
            return new ObjectMapper().readTree(folder.resolve(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A model folder loaded with the installed plugins on {@code backend} ("auto": the best available one); a
     * named backend must be the one the model runs on, so no other backend can stand in for it.
     */
    public static Model load(Path dir, LoadOptions options, String backend) {
        Model model = new ModelLoader(Plugins.installed(), msg -> { }).load(dir, options.withBackend(backend));
        if (!backend.equals("auto")) {
            assertEquals(backend, model.backend().name(), "the model must run on the " + backend + " backend");
        }
        return model;
    }

    /** All floats of one tensor of a fixture file. */
    public static float[] floats(String folder, String file, String tensor) {
        return floats(dir(folder), file, tensor);
    }

    /** All floats of one tensor of a file in any fixture folder (golden or reference). */
    public static float[] floats(Path folder, String file, String tensor) {
        try (RootAllocator allocator = new RootAllocator();
             SafetensorsFile f = SafetensorsFile.open(folder.resolve(file), allocator)) {
            return f.get(tensor).toFloatArray();
        }
    }

    /** {@code ids} of a JSON list of lists, or null for a JSON null or a missing node (no attention mask). */
    public static int[][] idsOrNull(JsonNode list) {
        return list == null || list.isNull() ? null : ids(list);
    }

    public static int[][] ids(JsonNode list) {
        int[][] out = new int[list.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new int[list.get(i).size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = list.get(i).get(j).asInt();
            }
        }
        return out;
    }

    public static int[] ints(JsonNode list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i).asInt();
        }
        return out;
    }

    /** Asserts {@code max |expected - actual| <= tolerance} over {@code [from, from+n)} of both arrays. */
    public static void assertMaxAbs(float[] expected, int expectedFrom, float[] actual, int actualFrom, int n,
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

    public static void assertMaxAbs(float[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        assertMaxAbs(expected, 0, actual, 0, expected.length, tolerance, what);
    }
}
