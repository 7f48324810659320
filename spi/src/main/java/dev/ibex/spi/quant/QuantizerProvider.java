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
     * them (for a module {@code m}, the checkpoint keys are {@code m.weight}, {@code m.absmax}, ...).
     *
     * @return null when the parts are not in a format of this provider
     */
    QuantizedTensor load(Map<String, HostTensor> parts, BufferAllocator allocator);
}
