package dev.ibex.api.model;

import dev.ibex.api.internal.AtomicFiles;
import dev.ibex.api.internal.Json;
import dev.ibex.api.io.SafetensorsWriter;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Hugging Face model folder: the given weights as {@code model.safetensors}, plus the source folder's
 * config, generation config and tokenizer files (as read when it was opened), so transformers and Ibex both load it. The folder appears
 * complete or not at all (staged next to the target, then moved into place).
 */
public final class ModelWriter {
    /** Files copied from the source model folder when present. */
    public static final List<String> COPIED = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model", "vocab.json", "merges.txt",
            "added_tokens.json");

    private ModelWriter() {
    }

    public static void write(Path target, ModelFolder source, Map<String, HostTensor> weights) {
        write(target, source, weights, Map.of());
    }

    /**
     * Like {@link #write(Path, ModelFolder, Map)}, with {@code config.json} edited: each entry of
     * {@code configChanges} is set, or removed when its value is null (a quantized model gets transformers'
     * {@code quantization_config}; a model dequantized again loses it).
     */
    public static void write(Path target, ModelFolder source, Map<String, HostTensor> weights,
                             Map<String, Object> configChanges) {
        Path staging = AtomicFiles.stagingDirectory(target);
        try {
            for (var companion : source.companions().entrySet()) {
                Files.write(staging.resolve(companion.getKey()), companion.getValue());
            }
            if (!configChanges.isEmpty()) {
                Map<String, Object> config = new LinkedHashMap<>(source.config().values());
                configChanges.forEach((key, value) -> {
                    if (value == null) {
                        config.remove(key);
                    } else {
                        config.put(key, value);
                    }
                });
                Json.write(staging.resolve("config.json"), config);
            }
            SafetensorsWriter.write(staging.resolve("model.safetensors"), weights, Map.of("format", "pt"));
            AtomicFiles.replaceDirectory(staging, target);
        } catch (IOException e) {
            throw new IbexException("cannot write the model folder " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                AtomicFiles.deleteRecursively(staging);
            } catch (IOException ignored) {
                // only litter is left if this fails
            }
        }
    }
}
