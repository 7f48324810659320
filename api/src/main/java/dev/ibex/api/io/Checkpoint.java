package dev.ibex.api.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.api.internal.Json;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.tensor.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The weights of a model folder: one {@code model.safetensors}, or the shards a
 * {@code model.safetensors.index.json} lists. All files are mapped (no copy); closing unmaps them.
 */
public final class Checkpoint implements AutoCloseable {
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private final List<SafetensorsFile> files;
    private final Map<String, HostTensor> tensors;

    private Checkpoint(List<SafetensorsFile> files, Map<String, HostTensor> tensors) {
        this.files = files;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Whether {@code dir} holds safetensors weights. */
    public static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve(SINGLE)) || Files.isRegularFile(dir.resolve(INDEX));
    }

    /** Opens the weights of {@code dir}. */
    public static Checkpoint open(Path dir, BufferAllocator allocator) {
        Path index = dir.resolve(INDEX);
        if (Files.isRegularFile(index)) {
            return openSharded(dir, index, allocator);
        }
        Path single = dir.resolve(SINGLE);
        if (!Files.isRegularFile(single)) {
            throw new IbexException(dir + ": no " + SINGLE + " or " + INDEX
                    + (Files.isRegularFile(dir.resolve("pytorch_model.bin"))
                    ? " (only pytorch_model.bin, a pickle: convert it to safetensors with transformers' save_pretrained(safe_serialization=True))"
                    : ""));
        }
        SafetensorsFile f = SafetensorsFile.open(single, allocator);
        return new Checkpoint(List.of(f), new LinkedHashMap<>(f.tensors()));
    }

    private static Checkpoint openSharded(Path dir, Path index, BufferAllocator allocator) {
        JsonNode root = Json.read(index);
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new IbexException(index + ": no \"weight_map\" object");
        }
        Map<String, String> weightMap = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            var e = it.next();
            weightMap.put(e.getKey(), e.getValue().asText());
        }
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        try {
            Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
            for (String shard : new java.util.TreeSet<>(weightMap.values())) {
                Path p = dir.resolve(shard).normalize();
                if (!p.startsWith(dir.normalize())) {
                    throw new IbexException(index + ": shard \"" + shard + "\" is outside the model folder");
                }
                SafetensorsFile f = SafetensorsFile.open(p, allocator);
                files.add(f);
                byName.put(shard, f);
            }
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                HostTensor t = byName.get(e.getValue()).tensors().get(e.getKey());
                if (t == null) {
                    throw new IbexException(index + ": tensor \"" + e.getKey() + "\" is listed in " + e.getValue()
                            + " but that shard does not contain it");
                }
                tensors.put(e.getKey(), t);
            }
            return new Checkpoint(files, tensors);
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** Every tensor by name. */
    public Map<String, HostTensor> tensors() {
        return tensors;
    }

    public List<Path> files() {
        return files.stream().map(SafetensorsFile::path).toList();
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
