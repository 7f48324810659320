package dev.ibex.spi.arch;

import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.nn.Linear;
import dev.ibex.spi.nn.Var;

/**
 * What an architecture builds its model from, handed to it by the loader. Every weight is asked for by its
 * Hugging Face name, with the shape the config implies; a missing tensor or a shape mismatch is a clear error
 * naming both. The loader decides what each weight becomes: frozen as stored, trainable F32 (full fine-tuning),
 * quantized, or wrapped in a LoRA adapter (linears only).
 */
public interface ModelContext {

    HfConfig config();

    Backend backend();

    /**
     * The linear layer of module {@code module} (weights {@code module + ".weight"} {@code [out, in]} and, when
     * {@code bias}, {@code module + ".bias"} {@code [out]}).
     */
    Linear linear(String module, int in, int out, boolean bias);

    /** A linear layer over a weight the model already holds (a tied output head). */
    Linear tiedLinear(String module, Var weight);

    /** Any other weight (embeddings, norms), with its expected shape. */
    Var weight(String name, long... shape);

    /** Whether the checkpoint has a tensor of this name (optional weights: biases, untied heads). */
    boolean has(String name);

    /** Additional information for messages, e.g. {@code "warning: ignoring ..."}; printed once. */
    void warn(String message);
}
