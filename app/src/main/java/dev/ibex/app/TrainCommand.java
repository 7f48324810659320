package dev.ibex.app;

import dev.ibex.api.plugin.Plugins;
import dev.ibex.api.run.RunConfig;
import dev.ibex.api.run.RunConfigParser;
import dev.ibex.api.run.TrainingRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ibex train run.yaml}: a LoRA, QLoRA or full fine-tuning run from a YAML file. */
@Command(name = "train", description = "Train as a YAML run file says (LoRA, QLoRA, 8-bit LoRA or full fine-tuning).")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN.yaml", description = "The run file (axolotl-style keys; see the README).")
    Path config;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        RunConfig c = RunConfigParser.parse(config);
        try (TrainingRun run = new TrainingRun(c, Plugins.installed(), msg -> notice(out, msg));
             TrainingProgress progress = new TrainingProgress(out)) {
            run.train(progress);
            out.println("wrote " + c.output().outputDir() + " (metrics.jsonl, metrics.csv, loss.png, "
                    + (c.adapter().lora() ? "adapter_config.json, adapter_model.safetensors" : "model/") + ")");
        }
        out.flush();
        return 0;
    }

    static void notice(PrintWriter out, String message) {
        out.println("ibex: " + message);
        out.flush();
    }
}
