package dev.ibex.arch.llama;

import dev.ibex.spi.arch.HfConfig;
import dev.ibex.spi.arch.LlamaFamilyProvider;
import dev.ibex.spi.arch.LlamaStyle;

/** Registers LLaMA. */
public final class LlamaProvider extends LlamaFamilyProvider {

    public LlamaProvider() {
        super("llama", "LLaMA / Llama 2 / Llama 3 (model_type llama)", "llama", "LlamaForCausalLM",
                LlamaStyle.Defaults.LLAMA);
    }

    @Override
    protected LlamaStyle parse(HfConfig config) {
        LlamaStyle style = super.parse(config);
        if (style.window() != 0) {
            throw config.error("llama models have no sliding_window; use model_type mistral for windowed attention");
        }
        return style;
    }
}
