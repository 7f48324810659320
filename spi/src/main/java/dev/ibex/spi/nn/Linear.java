package dev.ibex.spi.nn;

/**
 * A linear layer {@code y = x·Wᵀ + b}. Architectures ask the loader for one per Hugging Face module name and never
 * learn what it is underneath: dense (F32/F16/BF16 as stored), quantized (NF4, INT8) or wrapped in a LoRA adapter.
 */
public interface Linear {

    int inFeatures();

    int outFeatures();

    /** Applies the layer to {@code x} ({@code [rows, in]}), giving {@code [rows, out]}. */
    Var forward(Graph g, Var x);

    /** A plain linear over a weight {@code [out, in]} (any format) and an optional bias {@code [out]}. */
    static Linear of(Var weight, Var bias) {
        return new DenseLinear(weight, bias);
    }
}
