package dev.ibex.api.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ibex.api.internal.AtomicFiles;
import dev.ibex.api.internal.Json;
import dev.ibex.api.io.SafetensorsFile;
import dev.ibex.api.io.SafetensorsWriter;
import dev.ibex.api.model.Model;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;

/**
 * Training checkpoints: {@code output_dir/checkpoint-<step>/} holding the trainable weights (a PEFT adapter, or a
 * model folder in full fine-tuning), {@code optimizer.safetensors} and {@code trainer_state.json} (step, data
 * position, seed). Each appears whole or not at all: written into a staging folder and moved into place.
 */
public final class Checkpoints {
    public static final String STATE = "trainer_state.json";
    public static final String OPTIMIZER = "optimizer.safetensors";
    private static final String PREFIX = "checkpoint-";

    private Checkpoints() {
    }

    /** The state a resumed run needs. */
    public record State(int step, long microBatches, long seed, Map<String, float[]> optimizer) {
    }

    /** Writes checkpoint {@code step} of {@code trainer} into {@code outputDir}, pruning to {@code keep} (0 = all). */
    public static Path save(Path outputDir, Model model, Trainer trainer, long seed, int keep) {
        Path target = outputDir.resolve(PREFIX + trainer.step());
        Path staging = AtomicFiles.stagingDirectory(target);
        try {
            if (model.adapters().isEmpty()) {
                model.saveWeights(staging.resolve("model"));
            } else {
                model.saveAdapter(staging);
            }
            Map<String, Tensor> state = trainer.optimizer().state();
            Map<String, HostTensor> host = new LinkedHashMap<>();
            try (RootAllocator allocator = new RootAllocator()) {
                try {
                    for (var e : state.entrySet()) {
                        float[] v = model.backend().toFloats(e.getValue());
                        host.put(e.getKey(), HostTensor.ofFloats(allocator, Shape.of(v.length), v));
                    }
                    SafetensorsWriter.write(staging.resolve(OPTIMIZER), host,
                            Map.of("format", "pt", "optimizer", trainer.optimizer().getClass().getSimpleName()));
                } finally {
                    host.values().forEach(HostTensor::close);
                }
            }
            ObjectNode json = Json.object();
            json.put("global_step", trainer.step());
            json.put("total_steps", trainer.totalSteps());
            json.put("micro_batches", trainer.microBatches());
            json.put("seed", seed);
            json.put("format", "ibex-checkpoint-1");
            var log = json.putArray("log_history");
            for (StepMetrics m : trainer.history()) {
                log.addObject().put("step", m.step()).put("loss", m.loss()).put("learning_rate", m.learningRate());
            }
            Json.write(staging.resolve(STATE), json);
            AtomicFiles.replaceDirectory(staging, target);
        } finally {
            try {
                AtomicFiles.deleteRecursively(staging);
            } catch (IOException ignored) {
                // litter only
            }
        }
        if (keep > 0) {
            List<Path> all = list(outputDir);
            for (int i = 0; i < all.size() - keep; i++) {
                try {
                    AtomicFiles.deleteRecursively(all.get(i));
                } catch (IOException e) {
                    throw new IbexException("cannot remove old checkpoint " + all.get(i) + ": " + e.getMessage(), e);
                }
            }
        }
        return target;
    }

    /** Complete checkpoints in {@code outputDir}, oldest first. */
    public static List<Path> list(Path outputDir) {
        if (!Files.isDirectory(outputDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(outputDir)) {
            return new ArrayList<>(s.filter(p -> p.getFileName().toString().startsWith(PREFIX))
                    .filter(p -> Files.isRegularFile(p.resolve(STATE)))
                    .sorted(Comparator.comparingInt(Checkpoints::stepOf)).toList());
        } catch (IOException e) {
            throw new IbexException("cannot list " + outputDir + ": " + e.getMessage(), e);
        }
    }

    private static int stepOf(Path p) {
        try {
            return Integer.parseInt(p.getFileName().toString().substring(PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Resolves {@code resume_from_checkpoint}: a folder, or {@code latest} in {@code outputDir}. */
    public static Path resolve(String spec, Path outputDir) {
        if (spec.equalsIgnoreCase("latest") || spec.equalsIgnoreCase("true")) {
            List<Path> all = list(outputDir);
            if (all.isEmpty()) {
                throw new IbexException("resume_from_checkpoint: no checkpoint in " + outputDir + " to resume from");
            }
            return all.getLast();
        }
        Path dir = Path.of(spec);
        if (!Files.isRegularFile(dir.resolve(STATE))) {
            throw new IbexException("resume_from_checkpoint: " + dir + " is not a checkpoint (no " + STATE + ")");
        }
        return dir;
    }

    /** Reads a checkpoint's state and optimizer tensors. */
    public static State read(Path dir) {
        JsonNode json = Json.read(dir.resolve(STATE));
        Map<String, float[]> optimizer = new LinkedHashMap<>();
        try (RootAllocator allocator = new RootAllocator();
             SafetensorsFile f = SafetensorsFile.open(dir.resolve(OPTIMIZER), allocator)) {
            f.tensors().forEach((k, v) -> optimizer.put(k, v.toFloatArray()));
        }
        return new State(json.path("global_step").asInt(), json.path("micro_batches").asLong(),
                json.path("seed").asLong(), optimizer);
    }

    /** The weights to load when resuming: the adapter folder, or the full model folder. */
    public static Path weights(Path checkpoint) {
        Path model = checkpoint.resolve("model");
        return Files.isDirectory(model) ? model : checkpoint;
    }
}
