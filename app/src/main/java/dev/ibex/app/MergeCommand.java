package dev.ibex.app;

import dev.ibex.api.model.Merger;
import dev.ibex.api.model.Model;
import dev.ibex.api.model.ModelLoader;
import dev.ibex.spi.IbexException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ibex merge}: fold a LoRA adapter into its base model, written as a Hugging Face model folder. */
@Command(name = "merge", description = "Merge a LoRA adapter into its base model (HF layout: config, safetensors, tokenizer).")
final class MergeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Mixin
    OutputFolder output;

    @Override
    public Integer call() {
        if (model.adapter == null) {
            throw new IbexException("merge needs --adapter DIR (a PEFT adapter folder)");
        }
        Path out = output.checked(model.model);
        PrintWriter w = spec.commandLine().getOut();
        try (Model m = ModelLoader.standard().load(model.model, model.loadOptions())) {
            Merger.merge(m, out);
            w.println("merged " + m.adapters().size() + " adapted linear layer(s) into " + out);
        }
        w.flush();
        return 0;
    }
}
