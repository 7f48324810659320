package dev.ibex.api.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path tmp;

    private final RootAllocator allocator = new RootAllocator();

    @AfterEach
    void close() {
        allocator.close(); // fails the test if any buffer leaked
    }

    private HostTensor random(DType dtype, long... dims) {
        HostTensor t = HostTensor.allocate(allocator, dtype, Shape.of(dims));
        byte[] bytes = new byte[(int) t.byteSize()];
        new Random(dims.length * 31L + dtype.ordinal()).nextBytes(bytes);
        t.data().copyFrom(java.lang.foreign.MemorySegment.ofArray(bytes));
        return t;
    }

    @Test
    void everyDtypeRoundTripsBitExactWithMetadataEmptyTensorsAndScalars() {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("w.f32", random(DType.F32, 3, 5));
        tensors.put("w.f16", random(DType.F16, 7));
        tensors.put("w.bf16", random(DType.BF16, 2, 3, 4));
        tensors.put("w.i8", random(DType.I8, 9));
        tensors.put("w.u8", random(DType.U8, 4, 4));
        tensors.put("w.i32", random(DType.I32, 6));
        tensors.put("w.i64", random(DType.I64, 2));
        tensors.put("w.bool", random(DType.BOOL, 3));
        tensors.put("empty", HostTensor.allocate(allocator, DType.F32, Shape.of(0, 4)));
        tensors.put("scalar", random(DType.F32));
        Path file = tmp.resolve("all.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of("note", "hello"));
        try (SafetensorsFile f = SafetensorsFile.open(file, allocator)) {
            assertEquals(tensors.keySet(), f.tensors().keySet().stream().collect(java.util.stream.Collectors.toSet()));
            for (var e : tensors.entrySet()) {
                HostTensor read = f.get(e.getKey());
                assertEquals(e.getValue().dtype(), read.dtype(), e.getKey());
                assertEquals(e.getValue().shape(), read.shape(), e.getKey());
                assertArrayEquals(e.getValue().data().toArray(ValueLayout.JAVA_BYTE), read.data().toArray(ValueLayout.JAVA_BYTE),
                        e.getKey());
            }
            assertEquals(Map.of("note", "hello", "format", "pt"), f.metadata());
        }
        tensors.values().forEach(HostTensor::close);
        byte[] raw = readAll(file);
        long headerLen = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + headerLen) % 8, "the header is padded to a multiple of 8");
        String header = new String(raw, 8, (int) headerLen, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":"), header);
        assertTrue(header.indexOf("\"w.i64\"") < header.indexOf("\"w.f32\""), "I64 sorts before F32 (descending dtype)");
        assertTrue(header.indexOf("\"empty\"") < header.indexOf("\"scalar\""), "then by name");
    }

    @Test
    void tensorsAreViewsOfTheMappedFileNotHeapCopies() throws Exception {
        int rows = 8192;
        int cols = 4096; // 128 MiB of F32
        Path file = tmp.resolve("big.safetensors");
        try (HostTensor big = HostTensor.allocate(allocator, DType.F32, Shape.of(rows, cols))) {
            big.setFloat(12345, 1.5f);
            SafetensorsWriter.write(file, Map.of("big", big), Map.of());
        }
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        long heapBefore = runtime.totalMemory() - runtime.freeMemory();
        try (SafetensorsFile f = SafetensorsFile.open(file, allocator)) {
            HostTensor t = f.get("big");
            assertTrue(t.data().isMapped(), "the tensor's bytes are the mapped file");
            assertEquals(1.5f, t.getFloat(12345));
            double sum = 0;
            for (long i = 0; i < t.numel(); i += 1024) {
                sum += t.getFloat(i); // touch every page
            }
            assertEquals(0.0, sum);
            long heapGrowth = runtime.totalMemory() - runtime.freeMemory() - heapBefore;
            assertTrue(heapGrowth < t.byteSize() / 16, "heap grew by " + heapGrowth + " bytes for a " + t.byteSize()
                    + "-byte tensor");
            assertEquals(Files.size(file), allocator.getAllocatedMemory(), "the mapping is charged to the allocator");
        }
        assertEquals(0, allocator.getAllocatedMemory(), "closing unmaps");
    }

    // ------------------------------------------------------------------ hostile and corrupt files

    private Path file(String header, int dataBytes) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = tmp.resolve("bad.safetensors");
        Files.write(p, b.array());
        return p;
    }

    private String error(Path p) {
        return assertThrows(IbexException.class, () -> SafetensorsFile.open(p, allocator).close()).getMessage();
    }

    @Test
    void corruptHeadersAreNamedPrecisely() throws Exception {
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        try (SafetensorsFile valid = SafetensorsFile.open(file(ok, 8), allocator)) {
            assertEquals(8, valid.get("a").byteSize());
        }

        assertTrue(error(file(ok, 4)).contains("ends at byte 8 of a 4-byte data section"));
        assertTrue(error(file(ok, 12)).contains("trailing bytes"));
        assertTrue(error(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8))
                .contains("F32 [3] = 12 bytes, but its data_offsets span 8"));
        assertTrue(error(file("{\"a\":{\"dtype\":\"Q9\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .contains("unsupported dtype Q9"));
        assertTrue(error(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8))
                .contains("invalid dimension"));
        assertTrue(error(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8))
                .contains("invalid data_offsets"));
        assertTrue(error(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12)).contains("overlaps"));
        assertTrue(error(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8))
                .contains("hole in the data"));
        assertTrue(error(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8)).contains("not valid JSON"));
        assertTrue(error(file("{\"__metadata__\":{\"k\":1}}", 0)).contains("__metadata__ value of \"k\" is not a string"));
        assertTrue(error(file("[1,2]", 0)).contains("does not start with '{'"));
        assertTrue(error(file("{\"a\": nope}", 0)).contains("not valid JSON"));
        assertTrue(error(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", 8))
                .contains("unknown field \"x\""));
    }

    @Test
    void lengthFieldsThatLieAreCaughtBeforeAnyAllocation() throws Exception {
        Path p = tmp.resolve("lie.safetensors");
        Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(9_000_000_000_000_000_000L).array());
        assertTrue(error(p).contains("exceeds the limit of 100000000 bytes"), error(p));
        Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(4096).array());
        assertTrue(error(p).contains("header length 4096 exceeds file size 16"), error(p));
        Files.write(p, new byte[] {1, 2, 3});
        assertTrue(error(p).contains("too short"), error(p));
        Files.write(p, new byte[0]);
        assertTrue(error(p).contains("too short"), error(p));
        byte[] badUtf8 = {8, 0, 0, 0, 0, 0, 0, 0, '{', (byte) 0xff, (byte) 0xfe, '}', ' ', ' ', ' ', ' '};
        Files.write(p, badUtf8);
        assertTrue(error(p).contains("not valid UTF-8"), error(p));
        assertTrue(error(tmp.resolve("missing.safetensors")).contains("file not found"));
        assertTrue(error(tmp).contains("not a regular file"));
    }

    @Test
    void everyMessageNamesTheFile() throws Exception {
        Path p = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 3);
        assertTrue(error(p).startsWith(p + ": corrupt safetensors: "), error(p));
    }

    private static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
