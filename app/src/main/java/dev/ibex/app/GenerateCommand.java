package dev.ibex.app;

import dev.ibex.api.generate.Generation;
import dev.ibex.api.generate.Generator;
import dev.ibex.api.model.Model;
import dev.ibex.api.model.ModelLoader;
import dev.ibex.api.internal.Json;
import dev.ibex.spi.IbexException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ibex generate}: continue a prompt, streaming the text (or printing new ids as JSON). */
@Command(name = "generate", description = "Generate a continuation of a prompt.")
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Mixin
    SamplingOptions sampling;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Prompt prompt;

    static final class Prompt {
        @Option(names = "--prompt-ids", paramLabel = "IDS", split = ",", description = "The prompt as token ids: 1,2,3.")
        int[] ids;
    }

    @Option(names = "--json", description = "Print one JSON object {\"ids\": [...]} with the new token ids only.")
    boolean json;

    @Option(names = "--max-context", paramLabel = "N", defaultValue = "0",
            description = "Cap the context (KV cache) at N tokens (default: the model's).")
    int maxContext;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Model m = ModelLoader.standard().load(model.model, model.loadOptions())) {
            int[] ids = prompt.ids;
            if (ids == null || ids.length == 0) {
                throw new IbexException("--prompt-ids needs at least one id");
            }
            Generation g = new Generator(m, maxContext).generate(List.of(ids), sampling.params(), null, null);
            int[] tokens = g.tokens().getFirst();
            if (json) {
                out.println(Json.compact(Map.of("ids", tokens)));
            } else {
                out.println(Arrays.toString(tokens));
            }
        }
        out.flush();
        return 0;
    }
}
