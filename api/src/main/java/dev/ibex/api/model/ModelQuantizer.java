package dev.ibex.api.model;

import dev.ibex.api.io.Checkpoint;
import dev.ibex.api.plugin.Plugins;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.arch.ArchitectureProvider;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.quant.QuantizerProvider;
import dev.ibex.spi.tensor.HostTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;

/**
 * Writes a quantized copy of a model folder, as transformers' {@code save_pretrained} writes a bitsandbytes model:
 * every linear weight but the output head and the skipped modules replaced by its quantizer's parts under
 * bitsandbytes' names, every other tensor as it was, and {@code quantization_config} in {@code config.json}.
 * Loading the copy reads the quantized weights directly, so later runs do not quantize again.
 */
public final class ModelQuantizer {

    /**
     * What was written.
     *
     * @param modules         linear modules quantized
     * @param quantizedWeights their weights (parameters)
     * @param quantizedBytes  their stored size, codes, scales and tables included
     * @param denseBytes      bytes of every other tensor
     */
    public record Summary(int modules, long quantizedWeights, long quantizedBytes, long denseBytes) {
        /** Storage bits per quantized weight. */
        public double bitsPerWeight() {
            return quantizedWeights == 0 ? 0 : quantizedBytes * 8.0 / quantizedWeights;
        }
    }

    private ModelQuantizer() {
    }

    /** Told after each layer is quantized: its name, how many are done, and how many there are. */
    @FunctionalInterface
    public interface Progress {
        void quantized(String module, int done, int total);
    }

    public static Summary quantize(Path modelDir, QuantSettings settings, Path out, Plugins plugins) {
        return quantize(modelDir, settings, out, plugins, (module, done, total) -> { });
    }

    public static Summary quantize(Path modelDir, QuantSettings settings, Path out, Plugins plugins,
                                   Progress progress) {
        ModelFolder folder = ModelFolder.open(modelDir);
        if (BnbQuantizationConfig.read(folder.config()).isPresent()) {
            throw new IbexException(modelDir + " is already quantized (config.json has a quantization_config); "
                    + "quantize the original model");
        }
        if (!folder.hasWeights()) {
            throw new IbexException(modelDir + ": no model.safetensors or model.safetensors.index.json");
        }
        ArchitectureProvider arch = plugins.architectureFor(folder.config());
        arch.describe(folder.config());
        QuantizerProvider quantizer = plugins.quantizer(settings.options().format());
        List<String> linears = new ArrayList<>(arch.linearModules(folder.config()));
        linears.remove(arch.outputModule());
        linears.removeIf(m -> settings.skipModules().stream().anyMatch(s -> m.equals(s) || m.endsWith("." + s)));
        List<QuantizedTensor> quantized = new ArrayList<>();
        try (RootAllocator allocator = new RootAllocator(); Checkpoint checkpoint = Checkpoint.open(modelDir, allocator)) {
            try {
                Map<String, HostTensor> tensors = new LinkedHashMap<>();
                for (var e : checkpoint.tensors().entrySet()) {
                    String name = arch.canonicalTensorName(e.getKey());
                    if (name != null) {
                        tensors.put(name, e.getValue());
                    }
                }
                long weights = 0;
                long quantizedBytes = 0;
                List<String> present = linears.stream().filter(m -> tensors.containsKey(m + ".weight")).toList();
                for (String module : present) { // the others: a tied head, or a module this config does not have
                    HostTensor w = tensors.remove(module + ".weight");
                    if (!w.dtype().isDenseFloat() || w.shape().rank() != 2) {
                        throw new IbexException(module + ".weight is " + w.dtype() + " " + w.shape()
                                + "; only F32, F16 and BF16 matrices can be quantized");
                    }
                    QuantizedTensor q = quantizer.quantize(w, settings.options(), allocator);
                    quantized.add(q);
                    q.parts().forEach((suffix, part) -> tensors.put(module + "." + suffix, part));
                    weights += w.numel();
                    quantizedBytes += q.storageBytes();
                    progress.quantized(module, quantized.size(), present.size());
                }
                long total = tensors.values().stream().mapToLong(HostTensor::byteSize).sum();
                ModelWriter.write(out, folder, tensors,
                        Map.of(BnbQuantizationConfig.KEY, BnbQuantizationConfig.write(settings)));
                return new Summary(quantized.size(), weights, quantizedBytes, total - quantizedBytes);
            } finally {
                quantized.forEach(QuantizedTensor::close);
            }
        }
    }
}
