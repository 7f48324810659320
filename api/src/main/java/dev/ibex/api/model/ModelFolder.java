package dev.ibex.api.model;

import dev.ibex.api.internal.Json;
import dev.ibex.api.io.Checkpoint;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.arch.HfConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face model folder: {@code config.json}, safetensors weights, tokenizer and generation config. The small
 * companion files (config, tokenizer, generation config: {@link ModelWriter#COPIED}) are read when the folder is
 * opened, so a model saved later carries them even if the folder it came from has gone since (a resumed run's
 * checkpoint rotated away, a folder the user moved).
 */
public final class ModelFolder {
    private final Path dir;
    private final HfConfig config;
    private final Map<String, byte[]> companions;

    private ModelFolder(Path dir, HfConfig config, Map<String, byte[]> companions) {
        this.dir = dir;
        this.config = config;
        this.companions = companions;
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
        Map<String, byte[]> companions = new LinkedHashMap<>();
        for (String name : ModelWriter.COPIED) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file)) {
                try {
                    companions.put(name, Files.readAllBytes(file));
                } catch (IOException e) {
                    throw new IbexException(file + ": cannot read it: " + e.getMessage(), e);
                }
            }
        }
        return new ModelFolder(dir, new HfConfig(values, config.toString()), Collections.unmodifiableMap(companions));
    }

    /** The companion files as they were when the folder was opened, by file name. */
    public Map<String, byte[]> companions() {
        return companions;
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
