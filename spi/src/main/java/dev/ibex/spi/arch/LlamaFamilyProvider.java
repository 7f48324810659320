package dev.ibex.spi.arch;

import dev.ibex.spi.nn.CausalLM;
import dev.ibex.spi.nn.ModelInfo;
import java.util.List;
import java.util.Set;

/**
 * An architecture of the LLaMA family ({@link LlamaStyle}): everything but the names and defaults is shared, so
 * a plugin for a LLaMA-layout model (LLaMA, Mistral, and others Hugging Face lays out the same way) is a
 * constructor call.
 */
public abstract class LlamaFamilyProvider implements ArchitectureProvider {
    private final String name;
    private final String description;
    private final String modelType;
    private final String architectureClass;
    private final LlamaStyle.Defaults defaults;

    protected LlamaFamilyProvider(String name, String description, String modelType, String architectureClass,
                                  LlamaStyle.Defaults defaults) {
        this.name = name;
        this.description = description;
        this.modelType = modelType;
        this.architectureClass = architectureClass;
        this.defaults = defaults;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Set<String> modelTypes() {
        return Set.of(modelType);
    }

    @Override
    public Set<String> architectureClasses() {
        return Set.of(architectureClass);
    }

    @Override
    public ModelInfo describe(HfConfig config) {
        return parse(config).info();
    }

    @Override
    public List<String> defaultLoraTargets() {
        return List.of("q_proj", "v_proj"); // PEFT's defaults for the family
    }

    @Override
    public List<String> linearModules(HfConfig config) {
        return parse(config).linearModules();
    }

    @Override
    public String canonicalTensorName(String tensor) {
        // Older checkpoints carry the rotary cache as a buffer; it is derived from the config, never read.
        return tensor.endsWith(".rotary_emb.inv_freq") ? null : tensor;
    }

    @Override
    public CausalLM build(ModelContext context) {
        return parse(context.config()).build(context);
    }

    /** Reads the config with this architecture's defaults; subclasses add their own checks. */
    protected LlamaStyle parse(HfConfig config) {
        return LlamaStyle.parse(config, name, defaults);
    }
}
