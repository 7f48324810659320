package dev.ibex.arch.mistral;

import dev.ibex.spi.arch.ArchitectureProvider;
import dev.ibex.spi.nn.CausalLM;
import dev.ibex.spi.arch.HfConfig;
import dev.ibex.spi.arch.LlamaStyle;
import dev.ibex.spi.arch.ModelContext;
import dev.ibex.spi.nn.ModelInfo;
import java.util.List;
import java.util.Set;

/** Registers Mistral. */
public final class MistralProvider implements ArchitectureProvider {

    @Override
    public String name() {
        return "mistral";
    }

    @Override
    public String description() {
        return "Mistral with sliding-window attention (model_type mistral)";
    }

    @Override
    public Set<String> modelTypes() {
        return Set.of("mistral");
    }

    @Override
    public Set<String> architectureClasses() {
        return Set.of("MistralForCausalLM");
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
    public CausalLM build(ModelContext context) {
        return parse(context.config()).build(context);
    }

    private static LlamaStyle parse(HfConfig config) {
        return LlamaStyle.parse(config, "mistral", LlamaStyle.Defaults.MISTRAL);
    }
}
