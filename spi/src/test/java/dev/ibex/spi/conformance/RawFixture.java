package dev.ibex.spi.conformance;

import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A reference case written by a Python reference script (e.g. {@code tools/quant-reference/generate.py}) into a
 * plugin's test resources: {@code /fixtures/<name>/meta.txt} (one "key value" per line) and raw little-endian
 * arrays named {@code <array>.<f32|u8|i8|bf16>}. Resources are opened by {@code resources}, a lambda written in
 * the module that holds them ({@code p -> MyTest.class.getResourceAsStream(p)}): a module's resources are
 * encapsulated, so only its own code may open them.
 *
 * @param resources opens a resource path of the module holding the case (null when absent)
 * @param name  the case's folder under {@code /fixtures}
 * @param meta  the "key value" lines of {@code meta.txt}
 */
public record RawFixture(Function<String, InputStream> resources, String name, Map<String, String> meta) {
    private static final Arena ARENA = Arena.ofAuto();

    public static RawFixture of(Function<String, InputStream> resources, String name) {
        Map<String, String> meta = new LinkedHashMap<>();
        for (String line : new String(read(resources, name, "meta.txt"), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                int space = line.indexOf(' ');
                meta.put(line.substring(0, space), line.substring(space + 1).strip());
            }
        }
        return new RawFixture(resources, name, meta);
    }

    public int integer(String key) {
        return Integer.parseInt(meta.get(key));
    }

    /** {@code <array>.f32} as floats. */
    public float[] floats(String array) {
        ByteBuffer b = ByteBuffer.wrap(bytes(array + ".f32")).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    /** A file of the case, as it is ({@code packed.u8}, {@code codes.i8}, ...). */
    public byte[] bytes(String file) {
        return read(resources, name, file);
    }

    /** A file as a host tensor in native memory, as a loader would hand it over. */
    public HostTensor tensor(String file, DType dtype, Shape shape) {
        byte[] raw = bytes(file);
        MemorySegment s = ARENA.allocate(raw.length, 64);
        MemorySegment.copy(raw, 0, s, ValueLayout.JAVA_BYTE, 0, raw.length);
        return HostTensor.view(dtype, shape, s);
    }

    private static byte[] read(Function<String, InputStream> resources, String name, String file) {
        String path = "/fixtures/" + name + "/" + file;
        try (InputStream in = resources.apply(path)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + path
                        + " (rerun the reference script that writes it)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
