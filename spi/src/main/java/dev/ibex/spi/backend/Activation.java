package dev.ibex.spi.backend;

/** Pointwise activations, with the exact definitions Hugging Face uses. */
public enum Activation {
    /** {@code max(0, x)} (OPT). */
    RELU,
    /** {@code x·Φ(x)} with the exact error function (Falcon's {@code nn.GELU()}, HF {@code "gelu"}). */
    GELU,
    /** The tanh approximation (HF {@code "gelu_new"}, {@code "gelu_pytorch_tanh"}). */
    GELU_TANH,
    /** {@code x·σ(x)} (LLaMA, Mistral; HF {@code "silu"}). */
    SILU;

    /** Maps a Hugging Face {@code hidden_act}/{@code activation_function} name. */
    public static java.util.Optional<Activation> fromHf(String name) {
        return switch (name) {
            case "relu" -> java.util.Optional.of(RELU);
            case "gelu" -> java.util.Optional.of(GELU);
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> java.util.Optional.of(GELU_TANH);
            case "silu", "swish" -> java.util.Optional.of(SILU);
            default -> java.util.Optional.empty();
        };
    }
}
