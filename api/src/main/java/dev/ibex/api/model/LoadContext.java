package dev.ibex.api.model;

import dev.ibex.api.adapter.LoraSettings;
import dev.ibex.api.adapter.PeftAdapter;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.arch.ArchitectureProvider;
import dev.ibex.spi.arch.HfConfig;
import dev.ibex.spi.arch.ModelContext;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.nn.Linear;
import dev.ibex.spi.nn.LoraLinear;
import dev.ibex.spi.nn.Var;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.quant.QuantizerProvider;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The {@link ModelContext} the loader hands an architecture: it finds each weight by name, checks its shape
 * against the config, and decides what it becomes (frozen as stored, trainable F32, quantized, LoRA-wrapped).
 */
final class LoadContext implements ModelContext {
    private final HfConfig config;
    private final Backend backend;
    private final ArchitectureProvider architecture;
    private final Map<String, HostTensor> tensors;
    private final String source;
    private final LoadOptions options;
    private final PeftAdapter adapter;
    private final QuantizerProvider quantizer;
    private final List<QuantizerProvider> quantizers;
    private final Map<String, Map<String, HostTensor>> stored;
    private final BufferAllocator allocator;
    private final Consumer<String> warnings;

    final Set<String> used = new LinkedHashSet<>();
    final Map<String, Var> parameters = new LinkedHashMap<>();
    final Map<String, LoraLinear> adapters = new LinkedHashMap<>();
    final Map<String, Linear> linears = new LinkedHashMap<>();
    final List<QuantizedTensor> quantized = new ArrayList<>();
    /** Quantized linear weights by module name (quantized here, or loaded as stored). */
    final Map<String, QuantizedTensor> quantizedModules = new LinkedHashMap<>();
    /** Checkpoint tensors the model uses as they are stored (or copies of, in full fine-tuning). */
    final Set<String> dense = new LinkedHashSet<>();
    private final Map<String, Var> loaded = new LinkedHashMap<>();

    /**
     * @param quantizer  the quantizer of the requested (or stored) format, or null for none
     * @param quantizers every installed quantizer, to read weights the checkpoint stores quantized
     */
    LoadContext(HfConfig config, Backend backend, ArchitectureProvider architecture, Map<String, HostTensor> tensors,
                String source, LoadOptions options, PeftAdapter adapter, QuantizerProvider quantizer,
                List<QuantizerProvider> quantizers, BufferAllocator allocator, Consumer<String> warnings) {
        this.config = config;
        this.backend = backend;
        this.architecture = architecture;
        this.tensors = tensors;
        this.source = source;
        this.options = options;
        this.adapter = adapter;
        this.quantizer = quantizer;
        this.quantizers = quantizers;
        this.stored = QuantizedCheckpoints.modules(tensors);
        this.allocator = allocator;
        this.warnings = warnings;
    }

    @Override
    public HfConfig config() {
        return config;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    @Override
    public void warn(String message) {
        warnings.accept(message);
    }

    /** The host tensor {@code name}, checked against the shape the config implies. */
    private HostTensor tensor(String name, long... shape) {
        HostTensor t = tensors.get(name);
        if (t == null) {
            throw new IbexException(source + " has no tensor \"" + name + "\", which " + architecture.name()
                    + " needs for this config (" + config.source() + "); is the checkpoint complete and for this config?");
        }
        if (!Arrays.equals(t.shape().dims(), shape)) {
            throw new IbexException("tensor \"" + name + "\" in " + source + " has shape " + t.shape()
                    + ", but " + config.source() + " implies " + Arrays.toString(shape));
        }
        if (!t.dtype().isDenseFloat()) {
            throw new IbexException("tensor \"" + name + "\" in " + source + " is " + t.dtype()
                    + "; weights must be F32, F16 or BF16 (quantized checkpoints load through a quantizer plugin)");
        }
        used.add(name);
        dense.add(name);
        return t;
    }

    @Override
    public Var weight(String name, long... shape) {
        Var cached = loaded.get(name);
        if (cached != null) {
            return cached;
        }
        Var v = place(name, tensor(name, shape));
        loaded.put(name, v);
        return v;
    }

    /** A frozen weight as stored, or a trainable F32 copy in full fine-tuning. */
    private Var place(String name, HostTensor host) {
        if (options.trainability() == Trainability.FULL) {
            Tensor value;
            if (host.dtype() == DType.F32) {
                value = backend.allocate(DType.F32, host.shape());
                Tensor view = backend.upload(host);
                backend.copy(view, 0, value, 0, host.numel());
            } else {
                try (HostTensor f32 = host.convert(allocator, DType.F32)) {
                    Tensor view = backend.upload(f32);
                    value = backend.allocate(DType.F32, host.shape());
                    backend.copy(view, 0, value, 0, host.numel());
                }
            }
            Var p = Var.parameter(name, value);
            parameters.put(name, p);
            return p;
        }
        return Var.frozen(name, backend.upload(host));
    }

    @Override
    public Linear linear(String module, int in, int out, boolean bias) {
        Var weight;
        Map<String, HostTensor> parts = stored.get(module);
        if (parts != null) {
            weight = frozen(module, loadStored(module, parts, in, out));
        } else if (quantizes(module)) {
            HostTensor w = tensor(module + ".weight", out, in);
            dense.remove(module + ".weight"); // held quantized, not as stored
            QuantizedTensor q = quantizer.quantize(w, options.quantization().options(), allocator);
            if (w.data().isMapped()) {
                w.data().unload(); // the dense pages are not needed again: let the OS drop them from memory
            }
            weight = frozen(module, q);
        } else {
            weight = weight(module + ".weight", out, in);
        }
        Var b = bias ? weight(module + ".bias", out) : null;
        Linear linear = wrapLora(module, Linear.of(weight, b));
        linears.put(module, linear);
        return linear;
    }

    @Override
    public Linear tiedLinear(String module, Var weight) {
        Linear linear = Linear.of(weight, null);
        linears.put(module, linear);
        return linear;
    }

    private Var frozen(String module, QuantizedTensor q) {
        quantized.add(q);
        quantizedModules.put(module, q);
        return Var.frozen(module + ".weight", backend.upload(q));
    }

    /** A weight the checkpoint stores quantized (as transformers saves a bitsandbytes model): no re-quantizing. */
    private QuantizedTensor loadStored(String module, Map<String, HostTensor> parts, int in, int out) {
        if (options.trainability() == Trainability.FULL) {
            throw new IbexException(source + " stores " + module + " quantized; quantized weights are frozen, so "
                    + "this model cannot be fully fine-tuned (use LoRA)");
        }
        QuantSettings q = options.quantization();
        QuantizedTensor t = QuantizedCheckpoints.load(module, parts, quantizers, q == null ? null : q.options(), allocator);
        if (!t.shape().equals(Shape.of(out, in))) {
            t.close();
            throw new IbexException("quantized weight " + module + " in " + source + " has shape " + t.shape()
                    + ", but " + config.source() + " implies [" + out + ", " + in + "]");
        }
        if (q != null && !q.options().format().equalsIgnoreCase(t.format())) {
            t.close();
            throw new IbexException(source + " stores " + module + " as " + t.format() + ", not "
                    + q.options().format() + " as asked: load the model without quantization settings, or quantize "
                    + "the original (unquantized) model instead");
        }
        parts.keySet().forEach(suffix -> used.add(module + "." + suffix));
        return t;
    }

    private boolean quantizes(String module) {
        if (options.quantization() == null || module.equals(architecture.outputModule())) {
            return false;
        }
        for (String skip : options.quantization().skipModules()) {
            if (module.equals(skip) || module.endsWith("." + skip)) {
                return false;
            }
        }
        return true;
    }

    private Linear wrapLora(String module, Linear base) {
        List<String> defaults = architecture.defaultLoraTargets();
        String head = architecture.outputModule();
        if (adapter != null) {
            if (!adapter.modules().contains(module)) {
                if (adapter.targets(module, head, defaults)) {
                    throw new IbexException(adapter.dir() + " targets module " + module + " but holds no weights for it");
                }
                return base;
            }
            LoraSettings s = adapter.settings();
            HostTensor a = adapter.weight(module, 'A');
            HostTensor b = adapter.weight(module, 'B');
            int r = a.shape().intDim(0);
            if (a.shape().rank() != 2 || b.shape().rank() != 2 || a.shape().dim(1) != base.inFeatures()
                    || b.shape().dim(0) != base.outFeatures() || b.shape().dim(1) != r) {
                throw new IbexException(adapter.dir() + ": LoRA weights of " + module + " have shapes A " + a.shape()
                        + " and B " + b.shape() + ", which do not fit a linear " + base.inFeatures() + " -> "
                        + base.outFeatures() + " (adapter for another base model?)");
            }
            double dropout = options.lora() != null ? options.lora().dropout() : s.dropout();
            float scaling = (float) (s.rslora() ? s.alpha() / Math.sqrt(r) : s.alpha() / r);
            return register(module, new LoraLinear(base, param(module, 'A', f32(a)), param(module, 'B', f32(b)),
                    scaling, (float) dropout));
        }
        LoraSettings s = options.lora();
        if (s == null || !s.targets(module, head, defaults)) {
            return base;
        }
        int in = base.inFeatures();
        int out = base.outFeatures();
        // PEFT's default: A ~ kaiming_uniform(a=√5) = U(-1/√in, 1/√in), B = 0, so the adapter starts as a no-op.
        float bound = (float) (1 / Math.sqrt(in));
        float[] a = new float[s.rank() * in];
        SplittableRandom rng = new SplittableRandom(s.seed() ^ (module.hashCode() * 0x9E3779B97F4A7C15L));
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rng.nextDouble(-bound, bound);
        }
        Tensor aT = backend.allocate(DType.F32, Shape.of(s.rank(), in));
        backend.writeFloats(aT, 0, a, 0, a.length);
        Tensor bT = backend.allocate(DType.F32, Shape.of(out, s.rank()));
        return register(module, new LoraLinear(base, param(module, 'A', aT), param(module, 'B', bT), s.scaling(),
                (float) s.dropout()));
    }

    private Tensor f32(HostTensor host) {
        float[] values = host.toFloatArray();
        Tensor t = backend.allocate(DType.F32, host.shape());
        backend.writeFloats(t, 0, values, 0, values.length);
        return t;
    }

    private Var param(String module, char which, Tensor value) {
        Var v = Var.parameter(PeftAdapter.key(module, which), value);
        parameters.put(v.name(), v);
        return v;
    }

    private Linear register(String module, LoraLinear lora) {
        adapters.put(module, lora);
        return lora;
    }
}
