package dev.ibex.app;

import dev.ibex.api.model.RandomInit;
import dev.ibex.api.plugin.Plugins;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.tensor.DType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ibex init}: a new model folder with randomly initialised weights, for pretraining from scratch. */
@Command(name = "init", description = "Create a model folder with freshly initialised weights from a config.json "
        + "(for pretraining from scratch).")
final class InitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "DIR",
            description = "Folder with config.json (and the tokenizer files to copy).")
    Path from;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "The new model folder.")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initialisation.")
    long seed;

    @Option(names = "--dtype", defaultValue = "bf16", description = "Storage dtype: f32, f16 or bf16 (default).")
    String dtype;

    @Override
    public Integer call() {
        DType type = DType.fromUserName(dtype).filter(DType::isDenseFloat)
                .orElseThrow(() -> new IbexException("--dtype must be f32, f16 or bf16, not \"" + dtype + "\""));
        long params = RandomInit.write(from, out, seed, type, Plugins.installed());
        PrintWriter w = spec.commandLine().getOut();
        w.printf("wrote %s: %,d parameters, %s, seed %d%n", out, params, type, seed);
        w.flush();
        return 0;
    }
}
