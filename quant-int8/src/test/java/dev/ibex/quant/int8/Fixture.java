package dev.ibex.quant.int8;

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

/**
 * One case written by {@code tools/quant-reference/generate.py}: {@code meta.txt} (one "key value" per line) and
 * raw little-endian arrays named {@code <name>.<f32|u8|i8|bf16>}.
 */
record Fixture(String name, Map<String, String> meta) {
    private static final Arena ARENA = Arena.ofAuto();

    static Fixture of(String name) {
        Map<String, String> meta = new LinkedHashMap<>();
        for (String line : new String(bytes(name, "meta.txt"), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                int space = line.indexOf(' ');
                meta.put(line.substring(0, space), line.substring(space + 1).strip());
            }
        }
        return new Fixture(name, meta);
    }

    int integer(String key) {
        return Integer.parseInt(meta.get(key));
    }

    float[] floats(String array) {
        ByteBuffer b = ByteBuffer.wrap(bytes(name, array + ".f32")).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    byte[] i8(String array) {
        return bytes(name, array + ".i8");
    }

    /** An array as a host tensor in native memory, as a loader would hand it over. */
    HostTensor tensor(String file, DType dtype, Shape shape) {
        byte[] raw = bytes(name, file);
        MemorySegment s = ARENA.allocate(raw.length, 64);
        MemorySegment.copy(raw, 0, s, ValueLayout.JAVA_BYTE, 0, raw.length);
        return HostTensor.view(dtype, shape, s);
    }

    private static byte[] bytes(String name, String file) {
        String path = "/fixtures/" + name + "/" + file;
        try (InputStream in = Fixture.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + path + " (run tools/quant-reference/generate.py)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
