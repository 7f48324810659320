package dev.ibex.api.model;

import dev.ibex.api.io.Checkpoint;
import dev.ibex.spi.arch.ArchitectureProvider;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.nn.CausalLM;
import dev.ibex.spi.nn.Linear;
import dev.ibex.spi.nn.LoraLinear;
import dev.ibex.spi.nn.ModelInfo;
import dev.ibex.spi.nn.Var;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.tensor.HostTensor;
import java.util.Collections;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A loaded model on a backend: the architecture's {@link CausalLM}, its trainable parameters (LoRA adapters, or
 * every weight in full fine-tuning), and the resources it holds (the mapped checkpoint, the Arrow allocator that
 * accounts for its weights, the backend). Close it to release them all.
 */
public final class Model implements AutoCloseable {
    private final ModelFolder folder;
    private final ArchitectureProvider architecture;
    private final CausalLM lm;
    private final Backend backend;
    private final BufferAllocator allocator;
    private final Checkpoint checkpoint;
    private final Map<String, Var> parameters;
    private final Map<String, LoraLinear> adapters;
    private final Map<String, Linear> linears;
    private final Map<String, HostTensor> hostWeights;
    private final AutoCloseable extra;
    private final dev.ibex.api.adapter.LoraSettings loraSettings;
    private final Map<String, QuantizedTensor> quantized;
    private final long denseBaseBytes;

    Model(ModelFolder folder, ArchitectureProvider architecture, CausalLM lm, Backend backend, BufferAllocator allocator,
          Checkpoint checkpoint, Map<String, Var> parameters, Map<String, LoraLinear> adapters,
          Map<String, Linear> linears, Map<String, HostTensor> hostWeights, AutoCloseable extra,
          dev.ibex.api.adapter.LoraSettings loraSettings, Map<String, QuantizedTensor> quantized,
          long denseBaseBytes) {
        this.folder = folder;
        this.architecture = architecture;
        this.lm = lm;
        this.backend = backend;
        this.allocator = allocator;
        this.checkpoint = checkpoint;
        this.parameters = Collections.unmodifiableMap(parameters);
        this.adapters = Collections.unmodifiableMap(adapters);
        this.linears = Collections.unmodifiableMap(linears);
        this.hostWeights = Collections.unmodifiableMap(hostWeights);
        this.extra = extra;
        this.loraSettings = loraSettings;
        this.quantized = Collections.unmodifiableMap(new java.util.LinkedHashMap<>(quantized));
        this.denseBaseBytes = denseBaseBytes;
    }

    /** The linear weights held quantized (NF4, INT8, ...), by module name; empty for a dense model. */
    public Map<String, QuantizedTensor> quantizedWeights() {
        return quantized;
    }

    /**
     * Bytes of base weights the model computes from: quantized weights at their stored size (codes, scales and
     * tables) plus the dense weights it uses as stored (embeddings, norms, output head, biases, unquantized
     * linears). A checkpoint quantized at load is read once and its dense pages released, so this, not the size
     * of the mapped checkpoint ({@link #weightBytes()}), is what the base occupies while the model runs.
     */
    public long baseBytes() {
        return denseBaseBytes + quantizedBytes();
    }

    /** Bytes of the quantized weights alone. */
    public long quantizedBytes() {
        return quantized.values().stream().mapToLong(QuantizedTensor::storageBytes).sum();
    }

    /** The LoRA settings in effect (from the load options or the loaded adapter), or null without adapters. */
    public dev.ibex.api.adapter.LoraSettings loraSettings() {
        return loraSettings;
    }

    public ModelFolder folder() {
        return folder;
    }

    public ArchitectureProvider architecture() {
        return architecture;
    }

    public ModelInfo info() {
        return lm.info();
    }

    public CausalLM lm() {
        return lm;
    }

    public Backend backend() {
        return backend;
    }

    /** The allocator holding the model's host buffers (mapped weights, quantized copies). */
    public BufferAllocator allocator() {
        return allocator;
    }

    /** Trainable parameters by name (PEFT keys for LoRA, HF names in full fine-tuning), in creation order. */
    public Map<String, Var> parameters() {
        return parameters;
    }

    /** LoRA-wrapped linears by module name. */
    public Map<String, LoraLinear> adapters() {
        return adapters;
    }

    /** Every linear the architecture asked for, by module name. */
    public Map<String, Linear> linears() {
        return linears;
    }

    /** The checkpoint's tensors by canonical name (host memory, mapped). */
    public Map<String, HostTensor> hostWeights() {
        return hostWeights;
    }

    /** Bytes the model's allocator accounts for: the whole mapped checkpoint, and any quantized copies. */
    public long weightBytes() {
        return allocator.getAllocatedMemory();
    }

    /**
     * Writes the LoRA adapters in the PEFT format ({@code adapter_config.json} + {@code adapter_model.safetensors}),
     * so {@code PeftModel.from_pretrained} (and Ibex) load them.
     */
    public void saveAdapter(java.nio.file.Path dir) {
        if (adapters.isEmpty()) {
            throw new dev.ibex.spi.IbexException("this model has no LoRA adapters to save");
        }
        java.util.Map<String, HostTensor[]> weights = new java.util.LinkedHashMap<>();
        java.util.Set<String> targets = new java.util.LinkedHashSet<>();
        try {
            for (var e : adapters.entrySet()) {
                weights.put(e.getKey(), new HostTensor[] {toHost(e.getValue().a()), toHost(e.getValue().b())});
                String module = e.getKey();
                targets.add(module.substring(module.lastIndexOf('.') + 1));
            }
            dev.ibex.api.adapter.PeftAdapter.write(dir, loraSettings, java.util.List.copyOf(targets),
                    folder.dir().toAbsolutePath().toString(), weights);
        } finally {
            weights.values().forEach(pair -> {
                for (HostTensor t : pair) {
                    t.close();
                }
            });
        }
    }

    /**
     * Writes every trainable weight (full fine-tuning) as a Hugging Face model folder, in each weight's stored dtype,
     * with the source folder's config and tokenizer files.
     */
    public void saveWeights(java.nio.file.Path dir) {
        java.util.Map<String, HostTensor> out = new java.util.LinkedHashMap<>();
        try {
            for (var e : parameters.entrySet()) {
                HostTensor f32 = toHost(e.getValue());
                HostTensor original = hostWeights.get(e.getKey());
                if (original != null && original.dtype() != dev.ibex.spi.tensor.DType.F32) {
                    out.put(e.getKey(), f32.convert(allocator, original.dtype()));
                    f32.close();
                } else {
                    out.put(e.getKey(), f32);
                }
            }
            ModelWriter.write(dir, folder, out);
        } finally {
            out.values().forEach(HostTensor::close);
        }
    }

    /** A host copy of a parameter's current value (F32). */
    public HostTensor toHost(Var v) {
        float[] values = backend.toFloats(v.value());
        return HostTensor.ofFloats(allocator, v.shape(), values);
    }

    /** Turns every LoRA adapter on or off (off = the base model). */
    public void setAdaptersEnabled(boolean enabled) {
        adapters.values().forEach(a -> a.setEnabled(enabled));
    }

    @Override
    public void close() {
        backend.close();
        try {
            if (extra != null) {
                extra.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        checkpoint.close();
        allocator.close();
    }
}
