package dev.ibex.app;

import dev.ibex.api.generate.Generation;
import dev.ibex.api.generate.Generator;
import dev.ibex.api.generate.TextGenerator;
import dev.ibex.api.internal.Json;
import dev.ibex.api.model.Model;
import dev.ibex.api.model.ModelLoader;
import dev.ibex.api.plugin.Plugins;
import dev.ibex.api.tokenizer.HfTokenizer;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.chat.ChatTemplate;
import dev.ibex.spi.chat.Conversation;
import dev.ibex.spi.chat.Message;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ibex generate}: continue a prompt, streaming the text (or printing the new ids as JSON). */
@Command(name = "generate", description = "Generate a continuation of a prompt (text streams to stdout).")
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
        @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "The prompt text.")
        String text;

        @Option(names = "--prompt-ids", paramLabel = "IDS", split = ",", description = "The prompt as token ids: 1,2,3.")
        int[] ids;
    }

    @Option(names = {"-t", "--template"}, paramLabel = "NAME",
            description = "Chat template (alpaca, guanaco, chatml, ...): the prompt is the user's turn and the reply is "
                    + "printed.")
    String template;

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt for the chat template.")
    String system;

    @Option(names = "--json", description = "Print one JSON object {\"ids\": [...]} with the new token ids only.")
    boolean json;

    @Option(names = "--max-context", paramLabel = "N", defaultValue = "0",
            description = "Cap the context (KV cache) at N tokens (default: the model's).")
    int maxContext;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Model m = ModelLoader.standard().load(model.model, model.loadOptions())) {
            if (prompt.ids != null) {
                generateIds(m, out);
                return 0;
            }
            HfTokenizer tokenizer = HfTokenizer.load(m.folder().dir());
            ChatTemplate chat = template == null ? null : Plugins.installed().template(template).create(Map.of());
            TextGenerator generator = new TextGenerator(m, tokenizer, chat, maxContext);
            if (json) {
                int[] ids = tokenizer.encode(chat == null ? prompt.text : chat.prompt(conversation()), true);
                Generation g = new Generator(m, maxContext).generate(List.of(ids), sampling.params(), null, null);
                out.println(Json.compact(Map.of("ids", g.tokens().getFirst())));
            } else if (chat == null) {
                generator.complete(prompt.text, sampling.params(), piece -> {
                    out.print(piece);
                    out.flush();
                });
                out.println();
            } else {
                generator.reply(conversation(), sampling.params(), piece -> {
                    out.print(piece);
                    out.flush();
                });
                out.println();
            }
        }
        out.flush();
        return 0;
    }

    private Conversation conversation() {
        return system == null ? Conversation.of(Message.user(prompt.text))
                : Conversation.of(Message.system(system), Message.user(prompt.text));
    }

    private void generateIds(Model m, PrintWriter out) {
        if (prompt.ids.length == 0) {
            throw new IbexException("--prompt-ids needs at least one id");
        }
        Generation g = new Generator(m, maxContext).generate(List.of(prompt.ids), sampling.params(), null, null);
        int[] tokens = g.tokens().getFirst();
        out.println(json ? Json.compact(Map.of("ids", tokens)) : java.util.Arrays.toString(tokens));
    }
}
