package dev.ibex.api.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.api.internal.Json;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * One safetensors file, memory-mapped read-only and wrapped in a single Arrow buffer charged to the caller's
 * allocator: every tensor is a {@link HostTensor} view into the mapping, so opening a multi-gigabyte checkpoint
 * copies nothing. The header is validated strictly before any tensor is exposed. Closing the file unmaps it;
 * its tensors must not be used afterwards.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The reference implementation's cap on the header size. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private final Path path;
    private final Map<String, HostTensor> tensors;
    private final Map<String, String> metadata;
    private final ArrowBuf buffer;

    private SafetensorsFile(Path path, Map<String, HostTensor> tensors, Map<String, String> metadata, ArrowBuf buffer) {
        this.path = path;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
        this.buffer = buffer;
    }

    /** Maps and validates {@code path}. */
    public static SafetensorsFile open(Path path, BufferAllocator allocator) {
        if (!Files.exists(path)) {
            throw new IbexException(path + ": file not found");
        }
        if (!Files.isRegularFile(path)) {
            throw new IbexException(path + ": not a regular file");
        }
        Arena arena = Arena.ofShared();
        boolean ok = false;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw bad(path.toString(), "file is " + size + " bytes, too short for a safetensors header (8-byte length first)");
            }
            MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            Parsed parsed = parse(file, size, path.toString());
            ArrowBuf buffer = HostTensor.wrap(allocator, arena, file);
            ok = true;
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            for (Entry e : parsed.entries) {
                MemorySegment bytes = file.asSlice(parsed.dataStart + e.begin, e.end - e.begin);
                tensors.put(e.name, HostTensor.view(e.dtype, e.shape, bytes));
            }
            return new SafetensorsFile(path, tensors, parsed.metadata, buffer);
        } catch (NoSuchFileException e) {
            throw new IbexException(path + ": file not found");
        } catch (IOException e) {
            throw new IbexException(path + ": cannot read: " + e.getMessage(), e);
        } finally {
            if (!ok) {
                arena.close();
            }
        }
    }

    private record Entry(String name, DType dtype, Shape shape, long begin, long end) {
    }

    private record Parsed(List<Entry> entries, Map<String, String> metadata, long dataStart) {
    }

    /** Validates the header of a safetensors image and returns its tensor entries in offset order. */
    static Parsed parse(MemorySegment file, long size, String name) {
        if (size < 8) {
            throw bad(name, "file is " + size + " bytes, too short for a safetensors header (8-byte length first)");
        }
        long headerLen = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen < 0 || headerLen > MAX_HEADER_BYTES) {
            throw bad(name, "header length " + Long.toUnsignedString(headerLen) + " exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes (corrupt or not a safetensors file)");
        }
        if (8 + headerLen > size) {
            throw bad(name, "header length " + headerLen + " exceeds file size " + size + " (truncated file?)");
        }
        if (headerLen < 2) {
            throw bad(name, "header of " + headerLen + " bytes cannot hold a JSON object");
        }
        byte[] headerBytes = file.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
        String header;
        try {
            header = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(headerBytes)).toString();
        } catch (CharacterCodingException e) {
            throw bad(name, "header is not valid UTF-8");
        }
        if (!header.startsWith("{")) {
            throw bad(name, "header does not start with '{' (not a safetensors file?)");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(header);
        } catch (JsonProcessingException e) {
            throw bad(name, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad(name, "header is not a JSON object");
        }
        long dataStart = 8 + headerLen;
        long dataLen = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            JsonNode v = field.getValue();
            if (key.equals("__metadata__")) {
                if (!v.isObject()) {
                    throw bad(name, "__metadata__ must be an object of strings");
                }
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) {
                        throw bad(name, "__metadata__ value of \"" + kv.getKey() + "\" is not a string");
                    }
                    metadata.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            entries.add(entry(name, key, v, dataLen));
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry e : entries) {
            if (e.begin < expected) {
                throw bad(name, "tensor \"" + e.name + "\" overlaps the previous tensor (offset " + e.begin
                        + " < " + expected + ")");
            }
            if (e.begin > expected) {
                throw bad(name, "hole in the data before tensor \"" + e.name + "\" (bytes " + expected + ".." + e.begin
                        + " belong to no tensor)");
            }
            expected = e.end;
        }
        if (expected != dataLen) {
            throw bad(name, "tensors cover " + expected + " bytes but the data section holds " + dataLen
                    + (expected < dataLen ? " (trailing bytes)" : " (truncated file?)"));
        }
        return new Parsed(entries, metadata, dataStart);
    }

    private static Entry entry(String file, String tensor, JsonNode v, long dataLen) {
        String where = "tensor \"" + tensor + "\"";
        if (!v.isObject()) {
            throw bad(file, where + " is not an object");
        }
        for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("dtype") && !f.equals("shape") && !f.equals("data_offsets")) {
                throw bad(file, where + " has unknown field \"" + f + "\"");
            }
        }
        JsonNode dt = v.get("dtype");
        if (dt == null || !dt.isTextual()) {
            throw bad(file, where + " has no dtype");
        }
        DType dtype = DType.fromSafetensors(dt.asText())
                .orElseThrow(() -> bad(file, where + " has unsupported dtype " + dt.asText()));
        JsonNode sh = v.get("shape");
        if (sh == null || !sh.isArray()) {
            throw bad(file, where + " has no shape array");
        }
        long[] dims = new long[sh.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw bad(file, where + " has an invalid dimension " + d + " in its shape");
            }
            dims[i] = d.asLong();
        }
        JsonNode off = v.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber()
                || !off.get(1).isIntegralNumber() || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
            throw bad(file, where + " needs data_offsets [begin, end]");
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw bad(file, where + " has invalid data_offsets [" + begin + ", " + end + "]");
        }
        if (end > dataLen) {
            throw bad(file, where + " ends at byte " + end + " of a " + dataLen + "-byte data section (truncated file?)");
        }
        Shape shape;
        long bytes;
        try {
            shape = Shape.of(dims);
            bytes = Math.multiplyExact(shape.numel(), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw bad(file, where + " has a shape too large to address");
        }
        if (bytes != end - begin) {
            throw bad(file, where + " is " + dtype + " " + shape + " = " + bytes + " bytes, but its data_offsets span "
                    + (end - begin));
        }
        return new Entry(tensor, dtype, shape, begin, end);
    }

    private static SafetensorsFormatException bad(String file, String what) {
        return new SafetensorsFormatException(file + ": corrupt safetensors: " + what);
    }

    public Path path() {
        return path;
    }

    /** Tensors in file order. */
    public Map<String, HostTensor> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public HostTensor get(String name) {
        HostTensor t = tensors.get(name);
        if (t == null) {
            throw new IbexException(path + ": no tensor named \"" + name + "\"");
        }
        return t;
    }

    /** Unmaps the file. */
    @Override
    public void close() {
        if (buffer.refCnt() > 0) {
            buffer.close();
        }
    }
}
