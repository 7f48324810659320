package dev.ibex.api.model;

import dev.ibex.api.adapter.PeftAdapter;
import dev.ibex.api.io.Checkpoint;
import dev.ibex.api.plugin.Plugins;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.arch.ArchitectureProvider;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.nn.CausalLM;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.quant.QuantizerProvider;
import dev.ibex.spi.tensor.HostTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/** Loads model folders into {@link Model}s. */
public final class ModelLoader {
    private final Plugins plugins;
    private final Consumer<String> warnings;

    /**
     * @param plugins  where architectures, backends and quantizers come from
     * @param warnings receives non-fatal notices (ignored tensors, ...)
     */
    public ModelLoader(Plugins plugins, Consumer<String> warnings) {
        this.plugins = plugins;
        this.warnings = warnings;
    }

    /** A loader over the installed plugins that prints notices to stderr. */
    public static ModelLoader standard() {
        return new ModelLoader(Plugins.installed(), msg -> System.err.println("ibex: " + msg));
    }

    private static dev.ibex.api.adapter.LoraSettings withDropout(dev.ibex.api.adapter.LoraSettings s,
                                                                 dev.ibex.api.adapter.LoraSettings requested) {
        double dropout = requested != null ? requested.dropout() : s.dropout();
        return new dev.ibex.api.adapter.LoraSettings(s.rank(), s.alpha(), dropout, s.targets(), s.allLinear(), s.rslora(),
                requested != null ? requested.seed() : s.seed());
    }

    /**
     * A folder saved quantized (its config.json has transformers' {@code quantization_config}) loads with those
     * settings unless the caller asked for some: the stored weights are read as they are, and any dense linear not
     * skipped is quantized alike, as transformers does. Asking for another format than the stored one is an error.
     */
    private static LoadOptions withStoredQuantization(ModelFolder folder, LoadOptions options) {
        var stored = BnbQuantizationConfig.read(folder.config());
        if (stored.isEmpty()) {
            return options;
        }
        QuantSettings requested = options.quantization();
        if (requested == null) {
            return options.withQuantization(stored.get());
        }
        String have = stored.get().options().format();
        String want = requested.options().format();
        if (!have.equalsIgnoreCase(want)) {
            throw new IbexException(folder.dir() + " is saved quantized to " + have + " (config.json quantization_config); "
                    + "it cannot be loaded as " + want + ": drop the quantization settings, or quantize the original model");
        }
        java.util.Set<String> skip = new java.util.HashSet<>(requested.skipModules());
        skip.addAll(stored.get().skipModules());
        return options.withQuantization(new QuantSettings(requested.options(), skip));
    }

    public Model load(Path dir, LoadOptions options) {
        return load(ModelFolder.open(dir), options);
    }

    public Model load(ModelFolder folder, LoadOptions options) {
        options = withStoredQuantization(folder, options);
        if (options.trainability() == Trainability.FULL && (options.lora() != null || options.adapter() != null)) {
            throw new IbexException("full fine-tuning and LoRA adapters do not mix: choose one");
        }
        if (options.trainability() == Trainability.FULL && options.quantization() != null) {
            throw new IbexException("a quantized base cannot be fully fine-tuned: quantized weights are frozen (use LoRA)");
        }
        ArchitectureProvider arch = plugins.architectureFor(folder.config());
        arch.describe(folder.config()); // validates the config before anything is mapped
        if (!folder.hasWeights()) {
            throw new IbexException(folder.dir() + ": no model.safetensors or model.safetensors.index.json");
        }
        QuantizerProvider quantizer = options.quantization() == null ? null
                : plugins.quantizer(options.quantization().options().format());
        BufferAllocator allocator = new RootAllocator(options.memoryLimit() > 0 ? options.memoryLimit() : Long.MAX_VALUE);
        Backend backend = null;
        Checkpoint checkpoint = null;
        PeftAdapter adapter = null;
        LoadContext ctx = null;
        try {
            backend = plugins.backend(options.backend(), warnings).create(new BackendOptions(options.threads(), 0));
            checkpoint = Checkpoint.open(folder.dir(), allocator);
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            for (var e : checkpoint.tensors().entrySet()) {
                String name = arch.canonicalTensorName(e.getKey());
                if (name != null) {
                    tensors.put(name, e.getValue());
                }
            }
            if (options.adapter() != null) {
                adapter = PeftAdapter.read(options.adapter(), allocator);
            }
            String source = checkpoint.files().size() == 1 ? checkpoint.files().getFirst().toString()
                    : folder.dir().resolve(Checkpoint.INDEX).toString();
            ctx = new LoadContext(folder.config(), backend, arch, tensors, source, options, adapter, quantizer,
                    plugins.quantizers(), allocator, warnings);
            CausalLM lm = arch.build(ctx);
            if (adapter != null) {
                List<String> missing = new ArrayList<>(adapter.modules());
                missing.removeAll(ctx.adapters.keySet());
                if (!missing.isEmpty()) {
                    throw new IbexException(adapter.dir() + " holds LoRA weights for modules this model does not have: "
                            + missing.subList(0, Math.min(3, missing.size())) + " (adapter for another base model?)");
                }
            }
            List<String> unused = new ArrayList<>(tensors.keySet());
            unused.removeAll(ctx.used);
            if (!unused.isEmpty()) {
                warnings.accept("ignoring " + unused.size() + " tensor(s) of " + source + " that " + arch.name()
                        + " does not use: " + String.join(", ", unused.subList(0, Math.min(5, unused.size())))
                        + (unused.size() > 5 ? ", ..." : ""));
            }
            List<QuantizedTensor> quantized = ctx.quantized;
            PeftAdapter heldAdapter = adapter;
            AutoCloseable extra = () -> {
                quantized.forEach(QuantizedTensor::close);
                if (heldAdapter != null) {
                    heldAdapter.close();
                }
            };
            var lora = adapter == null ? options.lora() : withDropout(adapter.settings(), options.lora());
            long denseBytes = ctx.dense.stream().mapToLong(name -> tensors.get(name).byteSize()).sum();
            return new Model(folder, arch, lm, backend, allocator, checkpoint, ctx.parameters, ctx.adapters,
                    ctx.linears, tensors, extra, ctx.adapters.isEmpty() ? null : lora, ctx.quantizedModules,
                    denseBytes);
        } catch (RuntimeException | Error e) {
            if (ctx != null) {
                ctx.quantized.forEach(QuantizedTensor::close);
            }
            if (adapter != null) {
                adapter.close();
            }
            if (checkpoint != null) {
                checkpoint.close();
            }
            if (backend != null) {
                backend.close();
            }
            allocator.close();
            throw e;
        }
    }
}
