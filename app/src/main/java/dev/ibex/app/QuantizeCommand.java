package dev.ibex.app;

import dev.ibex.api.model.ModelQuantizer;
import dev.ibex.api.model.QuantSettings;
import dev.ibex.api.plugin.Plugins;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.quant.QuantOptions;
import dev.ibex.spi.tensor.DType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ibex quantize}: writes a quantized copy of a model folder (bitsandbytes tensor names and transformers'
 * {@code quantization_config}), which later runs load without quantizing again.
 */
@Command(name = "quantize", description = "Write a quantized copy of a model (NF4/FP4 or LLM.int8, bitsandbytes layout).")
final class QuantizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "DIR", description = "Model folder to quantize.")
    Path model;

    @Option(names = "--to", required = true, paramLabel = "FORMAT", description = "nf4, fp4 or int8.")
    String format;

    @Mixin
    OutputFolder output;

    @Option(names = "--no-double-quant",
            description = "4-bit: keep the block scales in F32 (4.5 instead of 4.13 bits/weight).")
    boolean noDoubleQuant;

    @Option(names = "--block-size", paramLabel = "N", defaultValue = "64",
            description = "4-bit: weights per scale (default 64).")
    int blockSize;

    @Option(names = "--compute-dtype", paramLabel = "DTYPE", defaultValue = "bfloat16",
            description = "4-bit: bnb_4bit_compute_dtype recorded in the config (default bfloat16).")
    String computeDtype;

    @Option(names = "--int8-threshold", paramLabel = "T", defaultValue = "6.0",
            description = "int8: llm_int8_threshold recorded in the config (default 6.0; 0 = plain int8).")
    float threshold;

    @Option(names = "--skip", paramLabel = "MODULE", split = ",",
            description = "Modules to leave unquantized, by name or suffix (llm_int8_skip_modules); "
                    + "the output head always is.")
    List<String> skip = List.of();

    @Override
    public Integer call() {
        String f = format.toLowerCase(Locale.ROOT);
        rejectFlagsThatDoNotApply(f);
        Path out = output.checked(model);
        QuantOptions options = switch (f) {
            case "nf4", "fp4" -> new QuantOptions(f, blockSize, !noDoubleQuant, computeDtype(), 0f);
            case "int8" -> QuantOptions.int8(threshold);
            default -> throw new IbexException("--to must be nf4, fp4 or int8, not \"" + format + "\"");
        };
        ModelQuantizer.Summary s;
        // A bar on a terminal (a 7B model has 224 layers to quantize); nothing in a pipe or a log.
        try (ProgressBar bar = TrainingProgress.interactive() ? new ProgressBarBuilder().setTaskName("quantize")
                .setStyle(ProgressBarStyle.ASCII).setUnit(" layers", 1).build() : null) {
            s = ModelQuantizer.quantize(model, new QuantSettings(options, Set.copyOf(skip)), out, Plugins.installed(),
                    (module, done, total) -> {
                        if (bar != null) {
                            bar.maxHint(total);
                            bar.stepTo(done);
                            bar.setExtraMessage(module);
                        }
                    });
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "quantized %d linear layer(s) to %s: %,d weights in %,d bytes (%.3f bits/weight); "
                + "%,d bytes left dense; wrote %s%n", s.modules(), f, s.quantizedWeights(), s.quantizedBytes(),
                s.bitsPerWeight(), s.denseBytes(), out);
        w.flush();
        return 0;
    }

    /** A flag of the other format would be silently ignored: say so instead. */
    private void rejectFlagsThatDoNotApply(String f) {
        var parsed = spec.commandLine().getParseResult();
        List<String> other = f.equals("int8") ? List.of("--block-size", "--no-double-quant", "--compute-dtype")
                : List.of("--int8-threshold");
        for (String flag : other) {
            if (parsed.hasMatchedOption(flag)) {
                throw new IbexException(flag + " does not apply to --to " + f + "; leave it out");
            }
        }
    }

    private DType computeDtype() {
        return DType.fromUserName(computeDtype).filter(DType::isDenseFloat).orElseThrow(() -> new IbexException(
                "--compute-dtype must be bfloat16, float16 or float32, not " + computeDtype));
    }
}
