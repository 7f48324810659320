package dev.ibex.arch.mistral;

import dev.ibex.spi.arch.LlamaFamilyProvider;
import dev.ibex.spi.arch.LlamaStyle;

/** Registers Mistral. */
public final class MistralProvider extends LlamaFamilyProvider {

    public MistralProvider() {
        super("mistral", "Mistral with sliding-window attention (model_type mistral)", "mistral", "MistralForCausalLM",
                LlamaStyle.Defaults.MISTRAL);
    }
}
