package dev.ibex.api.model;

import dev.ibex.api.internal.Json;
import dev.ibex.api.io.Checkpoint;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.arch.HfConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** A Hugging Face model folder: {@code config.json}, safetensors weights, tokenizer and generation config. */
public final class ModelFolder {
    private final Path dir;
    private final HfConfig config;

    private ModelFolder(Path dir, HfConfig config) {
        this.dir = dir;
        this.config = config;
    }

    /** Opens {@code dir}, failing with one clear message when it is not a usable model folder. */
    public static ModelFolder open(Path dir) {
        if (!Files.exists(dir)) {
            throw new IbexException(dir + ": no such folder (give the path of a Hugging Face model folder)");
        }
        if (!Files.isDirectory(dir)) {
            throw new IbexException(dir + ": not a folder (give the model folder that holds config.json)");
        }
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new IbexException(dir + ": no config.json, so this is not a Hugging Face model folder");
        }
        Map<String, Object> values = Json.readObject(config);
        return new ModelFolder(dir, new HfConfig(values, config.toString()));
    }

    public Path dir() {
        return dir;
    }

    public HfConfig config() {
        return config;
    }

    /** Whether the folder holds safetensors weights. */
    public boolean hasWeights() {
        return Checkpoint.present(dir);
    }

    /** {@code generation_config.json}, or empty. */
    public Optional<Map<String, Object>> generationConfig() {
        Path p = dir.resolve("generation_config.json");
        return Files.isRegularFile(p) ? Optional.of(Json.readObject(p)) : Optional.empty();
    }

    /** Whether a {@code tokenizer.json} is present. */
    public boolean hasTokenizer() {
        return Files.isRegularFile(dir.resolve("tokenizer.json"));
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
