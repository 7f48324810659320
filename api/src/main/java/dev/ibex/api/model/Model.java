package dev.ibex.api.model;

import dev.ibex.api.io.Checkpoint;
import dev.ibex.spi.arch.ArchitectureProvider;
import dev.ibex.spi.arch.CausalLM;
import dev.ibex.spi.arch.ModelInfo;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.nn.Linear;
import dev.ibex.spi.nn.LoraLinear;
import dev.ibex.spi.nn.Var;
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

    Model(ModelFolder folder, ArchitectureProvider architecture, CausalLM lm, Backend backend, BufferAllocator allocator,
          Checkpoint checkpoint, Map<String, Var> parameters, Map<String, LoraLinear> adapters,
          Map<String, Linear> linears, Map<String, HostTensor> hostWeights, AutoCloseable extra) {
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

    /** Bytes of weights as stored (the checkpoint, and any quantized copies). */
    public long weightBytes() {
        return allocator.getAllocatedMemory();
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
