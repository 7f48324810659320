package dev.ibex.app;

import dev.ibex.api.model.LoadOptions;
import dev.ibex.api.model.QuantSettings;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.quant.QuantOptions;
import java.nio.file.Path;
import java.util.Set;
import picocli.CommandLine.Option;

/** The options every command that loads a model shares. */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "DIR",
            description = "Hugging Face model folder (config.json + safetensors).")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA adapter folder to apply.")
    Path adapter;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
            description = "Compute backend (see 'ibex plugins'); default: the best available.")
    String backend;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "CPU threads (default: all cores).")
    int threads;

    @Option(names = "--quantize", paramLabel = "FORMAT",
            description = "Quantize the linear weights at load: nf4 (with double quantization), fp4 or int8.")
    String quantize;

    @Option(names = "--int8-threshold", paramLabel = "T", defaultValue = "6.0",
            description = "LLM.int8 outlier threshold with --quantize int8 (0 = plain int8).")
    float int8Threshold;

    LoadOptions loadOptions() {
        LoadOptions o = LoadOptions.inference().withBackend(backend).withThreads(threads);
        if (quantize != null) {
            QuantOptions q = switch (quantize.toLowerCase(java.util.Locale.ROOT)) {
                case "nf4", "fp4" -> new QuantOptions(quantize.toLowerCase(java.util.Locale.ROOT), 64, true,
                        dev.ibex.spi.tensor.DType.BF16, 0f);
                case "int8" -> QuantOptions.int8(int8Threshold);
                default -> throw new IbexException("--quantize must be nf4, fp4 or int8, not \"" + quantize + "\"");
            };
            o = o.withQuantization(new QuantSettings(q, Set.of()));
        }
        return adapter == null ? o : o.withAdapter(adapter);
    }
}
