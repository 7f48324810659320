package dev.ibex.spi.arch;

import dev.ibex.spi.nn.ModelInfo;
import dev.ibex.spi.nn.CausalLM;
import dev.ibex.spi.Provider;
import java.util.List;
import java.util.Set;

/**
 * An architecture: which checkpoints it handles, how it reads their config, which modules LoRA targets, and how
 * it builds a model. Registered with {@code provides dev.ibex.spi.arch.ArchitectureProvider with ...}.
 */
public interface ArchitectureProvider extends Provider {

    /** Hugging Face {@code model_type} values handled ({@code "llama"}; Falcon also {@code "RefinedWeb"}, ...). */
    Set<String> modelTypes();

    /** Hugging Face {@code architectures} class names handled ({@code "LlamaForCausalLM"}). */
    Set<String> architectureClasses();

    /**
     * Reads and validates the config: a config the plugin cannot honour (ALiBi, an unknown RoPE scaling, sizes
     * that do not divide) fails here with a {@link ConfigException} that says why.
     */
    ModelInfo describe(HfConfig config);

    /** PEFT's default {@code target_modules} for this architecture ({@code q_proj}, {@code v_proj}). */
    List<String> defaultLoraTargets();

    /**
     * The module names of every linear layer for {@code config} ({@code model.layers.0.self_attn.q_proj}, ...),
     * the output head last. LoRA's {@code all-linear} takes all of them but the head.
     */
    List<String> linearModules(HfConfig config);

    /** The output head's module name ({@code lm_head}), excluded from {@code all-linear}. */
    default String outputModule() {
        return "lm_head";
    }

    /**
     * Maps a checkpoint tensor name to the name this plugin asks for, for checkpoints that spell them differently
     * (OPT without its {@code model.} prefix), or returns null for a tensor to ignore (a stored rotary cache).
     * The identity by default.
     */
    default String canonicalTensorName(String name) {
        return name;
    }

    /** Builds the model; every weight comes from {@code context}. */
    CausalLM build(ModelContext context);
}
