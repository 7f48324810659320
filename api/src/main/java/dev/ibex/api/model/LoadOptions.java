package dev.ibex.api.model;

import dev.ibex.api.adapter.LoraSettings;
import java.nio.file.Path;

/**
 * How to load a model.
 *
 * @param backend       backend name ({@code cpu}, ...) or null/"auto" for the best available
 * @param threads       CPU worker threads (0 = all cores)
 * @param memoryLimit   bytes of weights the model's allocator may hold (0 = no limit)
 * @param trainability  which base weights train
 * @param lora          LoRA adapters to add (fresh), or null
 * @param adapter       a PEFT adapter folder to load (its own settings), or null
 * @param quantization  load-time quantization, or null
 */
public record LoadOptions(String backend, int threads, long memoryLimit, Trainability trainability,
                          LoraSettings lora, Path adapter, QuantSettings quantization) {

    public static LoadOptions inference() {
        return new LoadOptions(null, 0, 0, Trainability.FROZEN, null, null, null);
    }

    public LoadOptions withBackend(String name) {
        return new LoadOptions(name, threads, memoryLimit, trainability, lora, adapter, quantization);
    }

    public LoadOptions withThreads(int n) {
        return new LoadOptions(backend, n, memoryLimit, trainability, lora, adapter, quantization);
    }

    public LoadOptions withMemoryLimit(long bytes) {
        return new LoadOptions(backend, threads, bytes, trainability, lora, adapter, quantization);
    }

    public LoadOptions withTrainability(Trainability t) {
        return new LoadOptions(backend, threads, memoryLimit, t, lora, adapter, quantization);
    }

    public LoadOptions withLora(LoraSettings settings) {
        return new LoadOptions(backend, threads, memoryLimit, trainability, settings, adapter, quantization);
    }

    public LoadOptions withAdapter(Path dir) {
        return new LoadOptions(backend, threads, memoryLimit, trainability, lora, dir, quantization);
    }

    public LoadOptions withQuantization(QuantSettings q) {
        return new LoadOptions(backend, threads, memoryLimit, trainability, lora, adapter, q);
    }
}
