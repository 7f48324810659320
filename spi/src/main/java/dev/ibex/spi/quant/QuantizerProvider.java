package dev.ibex.spi.quant;

import dev.ibex.spi.Provider;
import dev.ibex.spi.tensor.HostTensor;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A quantized weight format. Registered with {@code provides dev.ibex.spi.quant.QuantizerProvider with ...}.
 */
public interface QuantizerProvider extends Provider {

    /** The format ids this provider handles ({@code "nf4"}, {@code "fp4"}, {@code "int8"}). */
    Set<String> formats();

    /**
     * Quantizes a dense weight {@code [out, in]} (F32, F16 or BF16) into new buffers from {@code allocator}.
     */
    QuantizedTensor quantize(HostTensor weight, QuantOptions options, BufferAllocator allocator);

    /**
     * Rebuilds a quantized weight from its saved parts, keyed by suffix as {@link QuantizedTensor#parts()} names
     * them (for a module {@code m}, the checkpoint keys are {@code m.weight}, {@code m.weight.absmax}, ...,
     * {@code m.SCB}). The parts may be views of a memory-mapped checkpoint: the result keeps using them.
     *
     * @return null when the parts are not in a format of this provider
     */
    QuantizedTensor load(Map<String, HostTensor> parts, BufferAllocator allocator);

    /**
     * Like {@link #load(Map, BufferAllocator)}, with the settings the user asked for that a checkpoint does not
     * store itself (LLM.int8's outlier threshold lives in the model's {@code config.json}, not in its tensors).
     * The default ignores {@code options}.
     *
     * @param options the requested settings, or null for the format's defaults
     */
    default QuantizedTensor load(Map<String, HostTensor> parts, QuantOptions options, BufferAllocator allocator) {
        return load(parts, allocator);
    }
}
