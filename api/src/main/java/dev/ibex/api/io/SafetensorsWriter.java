package dev.ibex.api.io;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ibex.api.internal.AtomicFiles;
import dev.ibex.api.internal.Json;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors files the way the reference library does: tensors ordered by descending dtype (the
 * library's enum order), then name; {@code __metadata__} first in the header (always with
 * {@code "format": "pt"}, which transformers and PEFT require); the header padded with spaces to a multiple of 8.
 * Files are written atomically.
 */
public final class SafetensorsWriter {
    // The Rust library's Dtype enum order, which its writer sorts by (descending).
    private static final List<DType> RUST_ORDER = List.of(DType.BOOL, DType.U8, DType.I8, DType.F8_E5M2,
            DType.F8_E4M3, DType.I16, DType.U16, DType.F16, DType.BF16, DType.I32, DType.U32, DType.F32, DType.F64,
            DType.I64, DType.U64);

    private SafetensorsWriter() {
    }

    /** Writes {@code tensors} with {@code metadata} (to which {@code format=pt} is added when missing). */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        List<Map.Entry<String, HostTensor>> ordered = new ArrayList<>(tensors.entrySet());
        ordered.sort(Comparator.<Map.Entry<String, HostTensor>>comparingInt(e -> -RUST_ORDER.indexOf(e.getValue().dtype()))
                .thenComparing(Map.Entry::getKey));
        ObjectNode header = Json.object();
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.putIfAbsent("format", "pt");
        ObjectNode metaNode = header.putObject("__metadata__");
        meta.forEach(metaNode::put);
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : ordered) {
            HostTensor t = e.getValue();
            ObjectNode info = header.putObject(e.getKey());
            info.put("dtype", t.dtype().safetensorsName());
            ArrayNode shape = info.putArray("shape");
            for (long d : t.shape().dims()) {
                shape.add(d);
            }
            ArrayNode offsets = info.putArray("data_offsets");
            offsets.add(offset);
            offsets.add(offset + t.byteSize());
            offset += t.byteSize();
        }
        byte[] json = Json.compact(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded);
        head.put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        AtomicFiles.write(file, channel -> {
            while (head.hasRemaining()) {
                channel.write(head);
            }
            for (Map.Entry<String, HostTensor> e : ordered) {
                long size = e.getValue().byteSize();
                for (long pos = 0; pos < size; pos += 1 << 26) {
                    ByteBuffer chunk = e.getValue().data().asSlice(pos, Math.min(1 << 26, size - pos)).asByteBuffer();
                    while (chunk.hasRemaining()) {
                        channel.write(chunk);
                    }
                }
            }
        });
    }
}
