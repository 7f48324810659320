package dev.ibex.arch.llama;

import dev.ibex.spi.arch.ArchitectureProvider;
import dev.ibex.spi.nn.CausalLM;
import dev.ibex.spi.arch.HfConfig;
import dev.ibex.spi.arch.LlamaStyle;
import dev.ibex.spi.arch.ModelContext;
import dev.ibex.spi.nn.ModelInfo;
import java.util.List;
import java.util.Set;

/** Registers LLaMA. */
public final class LlamaProvider implements ArchitectureProvider {

    @Override
    public String name() {
        return "llama";
    }

    @Override
    public String description() {
        return "LLaMA / Llama 2 / Llama 3 (model_type llama)";
    }

    @Override
    public Set<String> modelTypes() {
        return Set.of("llama");
    }

    @Override
    public Set<String> architectureClasses() {
        return Set.of("LlamaForCausalLM");
    }

    @Override
    public ModelInfo describe(HfConfig config) {
        return parse(config).info();
    }

    @Override
    public List<String> defaultLoraTargets() {
        return List.of("q_proj", "v_proj");
    }

    @Override
    public List<String> linearModules(HfConfig config) {
        return parse(config).linearModules();
    }

    @Override
    public String canonicalTensorName(String name) {
        // Older checkpoints carry the rotary cache as a buffer; it is derived from the config, never read.
        return name.endsWith(".rotary_emb.inv_freq") ? null : name;
    }

    @Override
    public CausalLM build(ModelContext context) {
        return parse(context.config()).build(context);
    }

    private static LlamaStyle parse(HfConfig config) {
        LlamaStyle style = LlamaStyle.parse(config, "llama", LlamaStyle.Defaults.LLAMA);
        if (style.window() != 0) {
            throw config.error("llama models have no sliding_window; use model_type mistral for windowed attention");
        }
        return style;
    }
}
